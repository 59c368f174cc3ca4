import { platformOf } from '../helpers/platform';
it('builds', () => {
  const p = platformOf('prod');
  for (const r of p.regions) if (r.operations) { const t = p.template(r.operations); console.log(r.role, Object.keys(t.toJSON().Resources).length); }
});
