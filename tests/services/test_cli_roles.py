"""The command line asks the same permission table: ``--role`` (or $SKILLAUDIT_ROLE)."""

from __future__ import annotations

from tests.casework.conftest import Detected
from tests.e2e.conftest import Cli, cli_env, json_of


def test_a_role_is_refused_what_it_may_not_do(detected_sqlite: Detected, cli: Cli) -> None:
    db, fid = detected_sqlite.url, detected_sqlite.overpaid
    refused = cli("--role", "finance", "case", "open", fid, "--db", db, "--by", "李会计")
    assert refused.returncode == 3, refused.stderr
    assert "investigator" in refused.stderr and "Traceback" not in refused.stderr
    refused = cli("findings", "--db", db, "--unmask", env=cli_env(SKILLAUDIT_ROLE="inspector"))
    assert refused.returncode == 3 and "personal data" in refused.stderr
    assert cli("--role", "nobody", "stats", "--db", db).returncode == 2
    assert json_of(cli("case", "list", "--db", db, "--json")) == []  # nothing was stored


def test_the_step_records_who_and_in_which_role(detected_sqlite: Detected, cli: Cli) -> None:
    db, fid = detected_sqlite.url, detected_sqlite.overpaid
    done = cli("--role", "investigator", "case", "open", fid, "--db", db, "--by", "张三",
               "--json")
    assert done.returncode == 0, done.stderr
    assert (json_of(done)["by"], json_of(done)["role"]) == ("张三", "investigator")
    # the console of the database itself is the operator, and says so in the log
    assert cli("case", "note", fid, "已调取原始签到表", "--db", db, "--by", "李四").returncode == 0
    history = json_of(cli("case", "show", fid, "--db", db, "--json"))["history"]
    assert [(s["by"], s.get("role")) for s in history] == [("张三", "investigator"),
                                                          ("李四", "operator")]
