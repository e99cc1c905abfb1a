// Copy GOV.UK Frontend's JavaScript and images (not its fonts or crown) into the app's static folder.
import { cpSync, mkdirSync } from "node:fs";

const source = "node_modules/govuk-frontend/dist/govuk";
const target = "socialvalue/web/static/vendor";
mkdirSync(`${target}/assets/images`, { recursive: true });
cpSync(`${source}/govuk-frontend.min.js`, `${target}/govuk-frontend.min.js`);
for (const image of ["favicon.ico", "favicon.svg"]) {
  cpSync(`${source}/assets/images/${image}`, `${target}/assets/images/${image}`);
}
cpSync("node_modules/axe-core/axe.min.js", "tests/e2e/axe.min.js");
