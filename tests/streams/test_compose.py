"""docker-compose.yml, Dockerfile and .dockerignore, checked without a Docker engine.

No engine runs on the test machines, so these read the files and check that the parts agree
with each other and with the project: the KRaft listeners, the published ports, the topics
the consumer reads and writes, the database URL, the volumes, the healthchecks, the packages
the image copies, and the `consume` / `publish` command lines the real CLI parser accepts.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PYPROJECT = ROOT / "pyproject.toml"

STACK = {"kafka", "postgres", "topics", "consumer", "web"}


# -- helpers ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), "docker-compose.yml is not a mapping"
    return doc


def service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    return compose["services"][name]


def env(svc: dict[str, Any]) -> dict[str, str]:
    """A service's environment as strings, from either the mapping or the list form."""
    raw = svc.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) for item in raw)
    return {k: "" if v is None else str(v) for k, v in raw.items()}


def interpolate(text: str) -> str:
    """Compose's interpolation with no variables set: ``${X:-d}``/``${X-d}`` → d, ``$$`` → $."""
    text = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}", r"\1", text)
    assert not re.search(r"(?<!\$)\$\{", text.replace("$$", "")), f"unset variable in {text!r}"
    return text.replace("$$", "$")


def argv(command: str | list[str]) -> list[str]:
    """A command as compose runs it: a string is split like a shell would."""
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def option(args: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` (None when absent)."""
    for i, arg in enumerate(args):
        if arg == name:
            assert i + 1 < len(args), f"{name} has no value in {args}"
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def listeners(value: str) -> dict[str, tuple[str, int]]:
    """``NAME://host:port,…`` → {NAME: (host, port)} (an empty host binds every interface)."""
    out: dict[str, tuple[str, int]] = {}
    for item in value.split(","):
        m = re.fullmatch(r"\s*([A-Za-z0-9_]+)://([^:,\s]*):(\d+)\s*", item)
        assert m, f"cannot read listener {item!r}"
        out[m[1]] = (m[2], int(m[3]))
    return out


def protocol_map(value: str) -> dict[str, str]:
    return dict(item.strip().split(":", 1) for item in value.split(","))


def published(svc: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(host_ip, host_port, container_port) of each published port (short or long syntax)."""
    out = []
    for p in svc.get("ports", []):
        if isinstance(p, dict):
            out.append((str(p.get("host_ip", "")), int(p["published"]), int(p["target"])))
            continue
        parts = str(p).split("/")[0].split(":")
        if len(parts) == 3:
            out.append((parts[0], int(parts[1]), int(parts[2])))
        elif len(parts) == 2:
            out.append(("", int(parts[0]), int(parts[1])))
        else:
            pytest.fail(f"port {p!r} is not published on the host")
    return out


def named_volumes(svc: dict[str, Any]) -> list[tuple[str, str]]:
    """(volume name, mount target) of each named volume (bind mounts are left out)."""
    out = []
    for v in svc.get("volumes", []):
        if isinstance(v, dict):
            if v.get("type", "volume") == "volume" and v.get("source"):
                out.append((v["source"], v["target"]))
            continue
        source, _, rest = str(v).partition(":")
        if rest and not source.startswith((".", "/", "~", "$")):
            out.append((source, rest.split(":")[0]))
    return out


def health_test(svc: dict[str, Any]) -> str:
    test = svc["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(t) for t in test)


def kafka_env(compose: dict[str, Any]) -> dict[str, str]:
    return env(service(compose, "kafka"))


def internal_bootstrap(compose: dict[str, Any]) -> str:
    """``host:port`` that containers use: the advertised inter-broker listener."""
    e = kafka_env(compose)
    host, port = listeners(e["KAFKA_ADVERTISED_LISTENERS"])[e["KAFKA_INTER_BROKER_LISTENER_NAME"]]
    return f"{host}:{port}"


def host_bootstrap(compose: dict[str, Any]) -> str:
    """``host:port`` that clients on the host use: the advertised listener at localhost."""
    adv = listeners(kafka_env(compose)["KAFKA_ADVERTISED_LISTENERS"])
    hosts = [f"{h}:{p}" for h, p in adv.values() if h in ("localhost", "127.0.0.1")]
    assert len(hosts) == 1, f"expected one host-facing advertised listener, got {adv}"
    return hosts[0]


def created_topics(compose: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    """Topic → {partitions, bootstrap} for each `kafka-topics.sh --create` of `topics`."""
    svc = service(compose, "topics")
    command = svc["command"]
    script = command if isinstance(command, str) else "\n".join(str(c) for c in command)
    out: dict[str, dict[str, str | None]] = {}
    for line in interpolate(script).splitlines():
        if "kafka-topics.sh" not in line or "--create" not in line:
            continue
        args = shlex.split(line)
        topic = option(args, "--topic")
        assert topic, f"no --topic in {line!r}"
        out[topic] = {"partitions": option(args, "--partitions"),
                      "bootstrap": option(args, "--bootstrap-server"),
                      "if_not_exists": "yes" if "--if-not-exists" in args else None}
    return out


def consumer_args(compose: dict[str, Any]) -> list[str]:
    return argv(interpolate(" ".join(argv(service(compose, "consumer")["command"]))))


def strings(node: Any):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def pyproject() -> dict[str, Any]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def packages() -> list[str]:
    include = pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    return [pattern.rstrip("*").rstrip(".") for pattern in include]


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [ln.strip().rstrip("/") for ln in lines if ln.strip() and not ln.startswith("#")]


# -- the compose file -------------------------------------------------------------------------

def test_services_are_exactly_the_stack(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == STACK
    assert "version" not in compose, "the top-level `version:` key is obsolete in the Compose spec"


def test_no_unescaped_shell_substitution(compose: dict[str, Any]) -> None:
    # compose interpolates every `$`: a shell's `$(…)` or `$((…))` must be written `$$(…)`
    for text in strings(compose):
        assert "$(" not in text.replace("$$", ""), f"unescaped $ in {text!r}"


def test_kafka_image_is_pinned(compose: dict[str, Any]) -> None:
    image = service(compose, "kafka")["image"]
    repo, _, tag = image.partition(":")
    assert repo == "apache/kafka"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), f"kafka image tag {tag!r} is not a pinned version"
    # the topics tool talks to the broker: same image, same version
    assert service(compose, "topics")["image"] == image


def test_kafka_runs_kraft_as_broker_and_controller(compose: dict[str, Any]) -> None:
    e = kafka_env(compose)
    assert not any(k.startswith("KAFKA_ZOOKEEPER") for k in e), "KRaft needs no ZooKeeper"
    assert {"broker", "controller"} <= {r.strip() for r in e["KAFKA_PROCESS_ROLES"].split(",")}

    bound = listeners(e["KAFKA_LISTENERS"])
    protocols = protocol_map(e["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"])
    assert set(bound) <= set(protocols), "every listener needs a security protocol"

    controller_names = [n.strip() for n in e["KAFKA_CONTROLLER_LISTENER_NAMES"].split(",")]
    for name in controller_names:
        assert name in protocols, f"controller listener {name} is not in the protocol map"
        assert name in bound, f"controller listener {name} is not in KAFKA_LISTENERS"

    voters = e["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
    assert len(voters) == 1, "one node: one voter"
    m = re.fullmatch(r"(\d+)@([^:]+):(\d+)", voters[0].strip())
    assert m, f"cannot read quorum voter {voters[0]!r}"
    assert m[1] == e["KAFKA_NODE_ID"], "the voter is this node"
    assert m[2] == "kafka", "the voter's host is the kafka service"
    assert int(m[3]) == bound[controller_names[0]][1], "voter port is the CONTROLLER listener's"


def test_kafka_listeners_agree(compose: dict[str, Any]) -> None:
    e = kafka_env(compose)
    bound = listeners(e["KAFKA_LISTENERS"])
    advertised = listeners(e["KAFKA_ADVERTISED_LISTENERS"])
    controller_names = {n.strip() for n in e["KAFKA_CONTROLLER_LISTENER_NAMES"].split(",")}

    assert ("kafka", 9092) in advertised.values(), "containers reach the broker at kafka:9092"
    assert e["KAFKA_INTER_BROKER_LISTENER_NAME"] in advertised
    assert e["KAFKA_INTER_BROKER_LISTENER_NAME"] not in controller_names
    # a broker must not advertise the controller listener (Kafka refuses to start)
    assert not controller_names & set(advertised)
    for name, (_, port) in advertised.items():
        assert name in bound, f"{name} is advertised but not bound"
        assert bound[name][1] == port, f"{name} advertises a port it does not bind"


def test_kafka_host_port_is_the_advertised_host_listener(compose: dict[str, Any]) -> None:
    kafka = service(compose, "kafka")
    port = host_bootstrap(compose).rsplit(":", 1)[1]
    ports = published(kafka)
    assert len(ports) == 1, ports
    host_ip, host_port, container_port = ports[0]
    assert host_port == int(port), "a host client is told to reconnect to this port"
    assert container_port == int(port), "the advertised port is the one the broker binds"
    assert host_ip == "127.0.0.1", "bound to loopback only"


def test_kafka_settings_for_one_node(compose: dict[str, Any]) -> None:
    e = kafka_env(compose)
    for key in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"):
        assert e[key] == "1", f"{key} must be 1 on a single broker"
    assert e["KAFKA_AUTO_CREATE_TOPICS_ENABLE"].lower() == "false"
    assert e["KAFKA_NUM_PARTITIONS"] == "12"
    targets = [target for _, target in named_volumes(service(compose, "kafka"))]
    assert e["KAFKA_LOG_DIRS"] in targets, "the log directory is on a named volume"

    cluster_id = e["CLUSTER_ID"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id), cluster_id
    raw = base64.urlsafe_b64decode(cluster_id + "==")
    assert len(raw) == 16 and base64.urlsafe_b64encode(raw).decode().rstrip("=") == cluster_id


def test_kafka_healthcheck_asks_the_broker(compose: dict[str, Any]) -> None:
    test = health_test(service(compose, "kafka"))
    assert "kafka-broker-api-versions.sh" in test
    assert f"--bootstrap-server {internal_bootstrap(compose)}" in test


def test_long_running_services_have_healthchecks(compose: dict[str, Any]) -> None:
    long_running = [n for n, s in compose["services"].items() if str(s.get("restart")) != "no"]
    assert set(long_running) == {"kafka", "postgres", "consumer", "web"}
    for name in long_running:
        check = compose["services"][name].get("healthcheck")
        assert check, f"{name} has no healthcheck"
        test = check["test"]
        assert test, f"{name}'s healthcheck test is empty"
        if isinstance(test, list):
            assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1 and str(test[1]).strip()
        for key in ("interval", "timeout", "retries"):
            assert check.get(key), f"{name}'s healthcheck has no {key}"


def test_postgres(compose: dict[str, Any]) -> None:
    pg = service(compose, "postgres")
    m = re.fullmatch(r"postgres:(\d+)(\.\d+)?(-[a-z0-9.]+)?", pg["image"])
    assert m, f"postgres image {pg['image']!r} does not pin a major version"
    e = env(pg)
    test = shlex.split(health_test(pg).removeprefix("CMD-SHELL").strip())
    assert "pg_isready" in test
    assert option(test, "-U") == e["POSTGRES_USER"]
    assert option(test, "-d") == e["POSTGRES_DB"]
    assert interpolate(e["POSTGRES_PASSWORD"]), "the default password is not empty"
    assert published(pg) == [("127.0.0.1", 5433, 5432)], "5433 on loopback: no clash with 5432"
    assert ("postgres-data", "/var/lib/postgresql/data") in named_volumes(pg)


def test_topics_service_is_one_shot(compose: dict[str, Any]) -> None:
    svc = service(compose, "topics")
    assert svc["restart"] == "no"
    assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
    topics = created_topics(compose)
    assert {t: v["partitions"] for t, v in topics.items()} == {
        "skillaudit.events": "12", "skillaudit.events.dlq": "3", "skillaudit.alerts": "3"}
    for topic, spec in topics.items():
        assert spec["bootstrap"] == internal_bootstrap(compose), topic
        assert spec["if_not_exists"], f"{topic}: a rerun must not fail"


def test_consumer_waits_for_its_dependencies(compose: dict[str, Any]) -> None:
    consumer = service(compose, "consumer")
    assert {name: dep["condition"] for name, dep in consumer["depends_on"].items()} == {
        "postgres": "service_healthy", "kafka": "service_healthy",
        "topics": "service_completed_successfully"}


def test_consumer_command_uses_the_stack(compose: dict[str, Any]) -> None:
    args = consumer_args(compose)
    topics = created_topics(compose)
    assert args[0] == "consume"
    assert option(args, "--bootstrap") == internal_bootstrap(compose)
    assert option(args, "--group")
    names = [option(args, o) for o in ("--topic", "--dlq-topic", "--alerts-topic")]
    for flag, name in zip(("--topic", "--dlq-topic", "--alerts-topic"), names, strict=True):
        assert name in topics, f"consumer {flag} {name} is not created by the topics service"
    assert len(set(names)) == 3, "events, dead letters and alerts are three topics"
    assert topics[names[0]]["partitions"] == kafka_env(compose)["KAFKA_NUM_PARTITIONS"]


def test_consumer_scales_with_compose_not_deploy(compose: dict[str, Any]) -> None:
    consumer = service(compose, "consumer")
    assert "container_name" not in consumer, "a fixed name prevents --scale"
    assert not consumer.get("ports"), "published ports prevent --scale"
    assert "replicas" not in (consumer.get("deploy") or {})
    assert consumer["restart"] == "unless-stopped"
    assert consumer["build"] in (".", "./", {"context": "."})
    assert consumer["image"] == "skillaudit:latest"


@pytest.mark.parametrize("name", ["consumer", "web"])
def test_the_database_is_the_postgres_service(compose: dict[str, Any], name: str) -> None:
    pg = env(service(compose, "postgres"))
    url = urlsplit(interpolate(env(service(compose, name))["SKILLAUDIT_DB"]))
    assert url.scheme == "postgresql"
    assert url.hostname == "postgres" and url.hostname in compose["services"]
    assert url.port == 5432, "inside the network: the container port, not the published one"
    assert url.username == pg["POSTGRES_USER"]
    assert url.password == interpolate(pg["POSTGRES_PASSWORD"])
    assert url.path.lstrip("/") == pg["POSTGRES_DB"]


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used = {name for svc in compose["services"].values() for name, _ in named_volumes(svc)}
    assert used, "kafka and postgres keep their data in named volumes"
    assert used <= declared, f"undeclared volumes: {used - declared}"
    assert declared <= used, f"declared but unused volumes: {declared - used}"


def test_consumer_healthcheck_watches_its_heartbeat_file(compose: dict[str, Any]) -> None:
    heartbeat = option(consumer_args(compose), "--heartbeat-file")
    assert heartbeat and heartbeat.startswith("/")
    test = interpolate(health_test(service(compose, "consumer")))
    assert f"stat -c %Y {heartbeat}" in test
    m = re.search(r"-lt (\d+)", test)
    assert m and int(m[1]) == 60, test


# -- the image --------------------------------------------------------------------------------

def test_dockerfile_base_user_and_entrypoint() -> None:
    assert DOCKERFILE.is_file()
    froms = [next(t for t in args.split() if not t.startswith("--"))  # skip --platform=…
             for word, args in dockerfile_instructions() if word == "FROM"]
    assert froms, "no FROM"
    for image in froms:
        assert image.startswith("python:3.11"), image

    final = final_stage()
    users = [args for word, args in final if word == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image runs as a non-root user"
    entry = [args for word, args in final if word == "ENTRYPOINT"]
    assert entry, "no ENTRYPOINT in the final stage"
    exec_form = json.loads(entry[-1])  # exec form: signals reach the process
    assert exec_form[0] == "skillaudit"
    assert exec_form[0] in pyproject()["project"]["scripts"], "the console script pip installs"


def test_dockerfile_copies_every_package() -> None:
    copies = [shlex.split(args) for word, args in dockerfile_instructions() if word == "COPY"]
    copies = [c for c in copies if not any(a.startswith("--from") for a in c)]
    dirs: dict[str, str] = {}
    files: set[str] = set()
    for copy in copies:
        *sources, dest = [a for a in copy if not a.startswith("--")]
        files.update(sources)
        if len(sources) == 1:
            dirs[sources[0].rstrip("/")] = dest.rstrip("/").split("/")[-1]
    assert "pyproject.toml" in files
    assert pyproject()["project"]["readme"] in files, "setuptools reads the readme at build"
    for pkg in packages():
        # one directory per COPY, into a folder of the same name (several directory sources
        # in one COPY would merge their contents)
        assert dirs.get(pkg) == pkg, f"the Dockerfile does not copy package {pkg}/ to {pkg}/"
    runs = " ".join(args for word, args in dockerfile_instructions() if word == "RUN")
    assert re.search(r"pip install --no-cache-dir \.(\s|$)", runs)


def test_dockerignore_keeps_what_the_build_needs() -> None:
    patterns = dockerignore_patterns()
    for must_ignore in (".git", "tests", "bench", "*.db", ".venv"):
        assert must_ignore in patterns, must_ignore
    needed = [*packages(), "pyproject.toml", pyproject()["project"]["readme"]]
    for name in needed:
        hits = [p for p in patterns if fnmatch.fnmatch(name, p) and not p.startswith("!")]
        assert not hits, f".dockerignore {hits} would drop {name} from the build context"


# -- the compose file and the real CLI agree ---------------------------------------------------

def parse_cli(args: list[str]):
    from skillaudit.cli import build_parser

    try:
        return build_parser().parse_args(args)
    except SystemExit as exc:
        code = exc.code
    # outside the except block: the report shows argparse's message (stderr), not a chain
    pytest.fail(f"`skillaudit {shlex.join(args)}` is refused by the CLI (exit {code})",
                pytrace=False)


def test_cli_accepts_the_consumer_command(compose: dict[str, Any]) -> None:
    args = consumer_args(compose)
    assert parse_cli(args).cmd == "consume"


def test_web_serves_the_store_on_loopback(compose: dict[str, Any]) -> None:
    web = service(compose, "web")
    args = argv(web["command"])
    assert parse_cli(args).cmd == "serve"
    port = int(option(args, "--port") or 0)
    assert option(args, "--host") == "0.0.0.0", "inside the container: every interface"
    assert published(web) == [("127.0.0.1", 8000, port)], "on the host: loopback only"
    assert {n: d["condition"] for n, d in web["depends_on"].items()} == {
        "postgres": "service_healthy"}
    files = option(args, "--files")
    assert files and ("web-files", files) in named_volumes(web)
    assert f"http://127.0.0.1:{port}/login" in health_test(web)
    assert web["image"] == "skillaudit:latest" and web["build"] in (".", "./")
    final = " ".join(args for _, args in final_stage())
    assert files in final, "the image makes the files folder, owned by its user"


def test_cli_accepts_the_host_publish_command(compose: dict[str, Any]) -> None:
    topic = option(consumer_args(compose), "--topic")
    assert topic
    args = ["publish", "city.jsonl", "--bootstrap", host_bootstrap(compose), "--topic", topic]
    assert parse_cli(args).cmd == "publish"
