"""deploy/kubernetes as shipped: every document valid against the Kubernetes schemas,
the kustomizations complete and without the Secret, the rules ConfigMap passing
check-config with the pods' own settings, probes and the replica id where the design puts
them."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from tests.deploy.conftest import DEPLOY, CheckConfig

from slotguard.config.settings import unknown_variables

KUBERNETES = DEPLOY / "kubernetes"
# The oldest Kubernetes release the manifests are meant for; the schemas come with
# kubernetes-validate, strict: an unknown or misspelt field is an error.
KUBERNETES_VERSION = "1.33.0"
PORT = 9180


def manifests() -> list[Path]:
    return sorted(p for p in KUBERNETES.rglob("*.yaml") if p.name != "kustomization.yaml")


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def kind(name: str) -> dict[str, Any]:
    (found,) = [d for p in manifests() for d in documents(p) if d["kind"] == name]
    return found


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return workload["spec"]["template"]["spec"]


def container(workload: dict[str, Any]) -> dict[str, Any]:
    (main,) = [c for c in pod_spec(workload)["containers"] if c["name"] == "slotguard"]
    return main


def plain_env(workload: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(workload)["env"] if "value" in e}


@pytest.mark.parametrize("path", manifests(), ids=lambda p: str(p.relative_to(KUBERNETES)))
def test_every_document_is_valid_kubernetes(path: Path) -> None:
    docs = documents(path)
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validation_rejects_a_misspelt_field() -> None:
    broken = copy.deepcopy(kind("StatefulSet"))
    container(broken)["readinesProbe"] = container(broken).pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def kustomizations() -> list[Path]:
    return sorted(KUBERNETES.rglob("kustomization.yaml"))


def resources(kustomization: Path) -> list[Path]:
    """The files a kustomization applies, through the directories it includes."""
    found = []
    for entry in yaml.safe_load(kustomization.read_text())["resources"]:
        target = (kustomization.parent / entry).resolve()
        found += resources(target / "kustomization.yaml") if target.is_dir() else [target]
    return found


def test_the_kustomizations_apply_everything_but_the_secret() -> None:
    daemon = set(resources(KUBERNETES / "kustomization.yaml"))
    cron = set(resources(KUBERNETES / "cronjob" / "kustomization.yaml"))
    secret = KUBERNETES / "secret.example.yaml"
    assert all(p.is_file() for p in daemon | cron)
    assert secret not in daemon | cron  # re-applying never overwrites the real one
    assert daemon | cron | {secret} == set(manifests())  # nothing left behind
    assert KUBERNETES / "cronjob" / "cronjob.yaml" not in daemon  # one or the other


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("folder", ["", "cronjob"])
def test_kubectl_kustomize_renders_valid_documents(folder: str) -> None:
    done = subprocess.run(["kubectl", "kustomize", str(KUBERNETES / folder)],
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    rendered = [d for d in yaml.safe_load_all(done.stdout) if d]
    assert "Secret" not in {d["kind"] for d in rendered}
    for doc in rendered:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("workload", ["StatefulSet", "CronJob"])
def test_the_rules_configmap_passes_check_config_as_the_pod_starts(
        workload: str, check_config: CheckConfig, tmp_path: Path) -> None:
    rules = tmp_path / "slotguard.toml"
    rules.write_text(kind("ConfigMap")["data"]["slotguard.toml"])
    secret = kind("Secret")["stringData"]
    env = {**secret, **plain_env(kind(workload)), "SLOTGUARD_RULES_FILE": str(rules),
           "SLOTGUARD_REPLICA_ID": "slotguard-0"}
    code, out, err = check_config(env)
    assert (code, err) == (0, ""), err
    assert "OK: 1 team(s)" in out
    assert unknown_variables(env, env_file=None) == []


def test_the_pods_mount_the_rules_where_the_settings_look() -> None:
    for workload in (kind("StatefulSet"), kind("CronJob")):
        rules = plain_env(workload)["SLOTGUARD_RULES_FILE"]
        mounts = {m["name"]: m["mountPath"] for m in container(workload)["volumeMounts"]}
        volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}
        assert volumes["rules"]["configMap"]["name"] == kind("ConfigMap")["metadata"]["name"]
        assert f"{mounts['rules']}/slotguard.toml" == rules
        assert "emptyDir" not in volumes.get("state", {})  # the ledger outlives the pod


def test_the_daemon_is_probed_on_its_http_endpoints() -> None:
    daemon = container(kind("StatefulSet"))
    assert plain_env(kind("StatefulSet"))["SLOTGUARD_HTTP_LISTEN"] == f"0.0.0.0:{PORT}"
    assert {p["name"]: p["containerPort"] for p in daemon["ports"]} == {"http": PORT}
    paths = {probe: daemon[probe]["httpGet"]["path"]
             for probe in ("startupProbe", "readinessProbe", "livenessProbe")}
    assert paths == {"startupProbe": "/healthz", "readinessProbe": "/readyz",
                     "livenessProbe": "/healthz"}
    assert all(daemon[probe]["httpGet"]["port"] == "http" for probe in paths)
    service = kind("Service")
    assert service["spec"]["ports"][0]["port"] == PORT
    assert kind("StatefulSet")["spec"]["serviceName"] == service["metadata"]["name"]


def test_the_cronjob_runs_one_whole_cycle_at_a_time() -> None:
    cron = kind("CronJob")
    assert container(cron)["args"] == ["scan", "--once"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"


@pytest.mark.parametrize("workload", ["StatefulSet", "CronJob"])
def test_pods_run_locked_down_with_resources_and_the_pod_name_as_replica_id(
        workload: str) -> None:
    spec, main = pod_spec(kind(workload)), container(kind(workload))
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["automountServiceAccountToken"] is False
    for each in [main, *spec.get("initContainers", [])]:
        context = each["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert each["resources"]["requests"] and each["resources"]["limits"]["memory"]
    (replica,) = [e for e in main["env"] if e["name"] == "SLOTGUARD_REPLICA_ID"]
    assert replica["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert plain_env(kind(workload))["SLOTGUARD_DRY_RUN"] == "true"  # until the admin says


def test_one_replica_by_default_and_a_second_only_on_postgresql() -> None:
    statefulset = kind("StatefulSet")
    assert statefulset["spec"]["replicas"] == 1
    (guard,) = pod_spec(statefulset)["initContainers"]
    script = guard["command"][-1]

    def starts(pod: str, url: str | None) -> bool:
        env = {"POD_NAME": pod, "PATH": "/usr/bin:/bin"}
        if url is not None:
            env["SLOTGUARD_DATABASE_URL"] = url
        return subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True,
                              timeout=30).returncode == 0

    assert starts("slotguard-0", None)
    assert not starts("slotguard-1", None)
    assert not starts("slotguard-1", "sqlite:////var/lib/slotguard/slotguard.db")
    assert starts("slotguard-1", "postgresql+psycopg://slotguard:pw@db/slotguard")
