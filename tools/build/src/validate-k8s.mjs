// Reads a JSON array of Kubernetes objects on stdin and prints a JSON array of problems: schema
// violations reported by kubernetes-models' validate(), or objects whose apiVersion/kind has no model
// (an unknown kind is a problem, not a pass). Run by k8s-tools.ts; ESM because the models are ESM-only.
const MODULES = {
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

function modulePath(apiVersion) {
  // Core objects live at kubernetes-models/v1, the others at kubernetes-models/<group>/<version>.
  return MODULES[apiVersion] ?? `kubernetes-models/${apiVersion}`;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const obj of JSON.parse(input)) {
  const id = `${obj?.kind}/${obj?.metadata?.name}`;
  let mod;
  try {
    mod = await import(modulePath(String(obj.apiVersion)));
  } catch {
    problems.push(`${id}: no schema for apiVersion ${obj.apiVersion}`);
    continue;
  }
  const Model = mod[obj.kind];
  if (typeof Model !== 'function') {
    problems.push(`${id}: no schema for kind ${obj.kind} in ${obj.apiVersion}`);
    continue;
  }
  try {
    new Model(obj).validate();
  } catch (error) {
    problems.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.stdout.write(JSON.stringify(problems));
