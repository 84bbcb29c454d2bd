#!/usr/bin/env python
"""Run a playbook through ansible-runner as an AWX job with an OpenStack credential does.

  run_like_awx.py PRIVATE_DATA_DIR LAB_CLOUDS_YAML CLOUD COLLECTIONS_PATH PYTHON EXTRAVARS_JSON

PRIVATE_DATA_DIR holds project/<playbook>.yml (the job's project) and gets the rest, as AWX lays
it out: inventory/hosts, env/<random> (the credential's clouds.yaml) and artifacts/<ident>/.
The credential's inputs (host, username, password, project, domains, region) are taken from
CLOUD of the lab's clouds.yaml and written the way AWX's OpenStack injector writes them
(awx/main/models/credential/injectors.py): one cloud named ``devstack`` with ``auth`` and
``verify`` (and ``region_name``), dumped with yaml.safe_dump into a file made by mkstemp in
PRIVATE_DATA_DIR/env, mode 0660, and OS_CLIENT_CONFIG_FILE pointing at it. Nothing else in the
job's environment names a cloud or a secret.

The job runs at verbosity 4 (-vvvv), with the environment AWX gives it (envvars, no env files
written: AWX_RUNNER_OMIT_ENV_FILES), ANSIBLE_COLLECTIONS_PATH set to the collection under test
and PYTHON's bin directory first on PATH (the execution environment's Python).
Prints one JSON line: status, rc, artifacts (the artifact directory), clouds_yaml.
"""
import json
import os
import stat
import sys
import tempfile

import ansible_runner
import yaml

IDENT = "awx-job-1"


def credential_inputs(lab_clouds, cloud):
    """The inputs of an AWX OpenStack credential for the lab cloud ``cloud``."""
    with open(lab_clouds) as handle:
        config = yaml.safe_load(handle)["clouds"][cloud]
    auth = config["auth"]
    return dict(host=auth["auth_url"], username=auth["username"], password=auth["password"],
                project=auth["project_name"], project_domain_name=auth["project_domain_name"],
                domain=auth["user_domain_name"], region=config.get("region_name"),
                verify_ssl=True)


def openstack_injector(inputs, env, private_data_dir):
    """What AWX's OpenStack injector does: the clouds.yaml of one cloud ``devstack``."""
    auth = dict(auth_url=inputs["host"], username=inputs["username"],
                password=inputs["password"], project_name=inputs["project"])
    if inputs.get("project_domain_name"):
        auth["project_domain_name"] = inputs["project_domain_name"]
    if inputs.get("domain"):
        auth["domain_name"] = inputs["domain"]
    data = {"clouds": {"devstack": {"auth": auth, "verify": inputs["verify_ssl"]}}}
    if inputs.get("region"):
        data["clouds"]["devstack"]["region_name"] = inputs["region"]
    handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, "env"))
    with os.fdopen(handle, "w") as out:
        yaml.safe_dump(data, out, default_flow_style=False, allow_unicode=True)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP)
    env["OS_CLIENT_CONFIG_FILE"] = path
    return path


def main():
    private_data_dir, lab_clouds, cloud, collections_path, python, extravars = sys.argv[1:7]
    for sub in ("env", "inventory", "artifacts"):
        os.makedirs(os.path.join(private_data_dir, sub), exist_ok=True)
    with open(os.path.join(private_data_dir, "inventory", "hosts"), "w") as out:
        out.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % python)
    env = {
        "PATH": os.path.dirname(python) + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "ANSIBLE_COLLECTIONS_PATH": collections_path,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        # as AWX's RunJob.build_env: job identity for the playbook (tower_job_id comes as extravar)
        "JOB_ID": "1",
        "AWX_HOST": "https://awx.example.com",
    }
    clouds_yaml = openstack_injector(credential_inputs(lab_clouds, cloud), env,
                                     private_data_dir)
    runner = ansible_runner.run(
        private_data_dir=private_data_dir, ident=IDENT, playbook="backup.yml",
        inventory=os.path.join(private_data_dir, "inventory", "hosts"), envvars=env,
        extravars=dict(json.loads(extravars), tower_job_id=1, awx_job_id=1,
                       expected_python=python, expected_collections_path=collections_path),
        verbosity=4, suppress_env_files=True, quiet=True)
    print(json.dumps(dict(status=runner.status, rc=runner.rc, clouds_yaml=clouds_yaml,
                          artifacts=os.path.join(private_data_dir, "artifacts", IDENT))))


if __name__ == "__main__":
    main()
