"""The README is the user's first page: its Python examples must run, and its two commands must be the
ones CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    assert blocks, "README has no Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("12月11日至14日") and "当前位置" not in printed[0] and "扫一扫" not in printed[0]
    assert printed[1] == "None"
    assert printed[3].startswith("1 ") and not any(line.startswith("2 ") for line in printed)


def test_ci_runs_the_readme_test_command():
    shell_blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    test_command = next(b.strip() for b in shell_blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


def test_readme_rule_pack_example_loads_and_its_examples_pass(tmp_path):
    from corpusclean.rulepacks.engine import check_rule
    from corpusclean.rulepacks.pack import load_pack

    block = next(b for b in re.findall(r"```toml\n(.*?)```", README, flags=re.DOTALL) if "[[rules]]" in b)
    path = tmp_path / "my-site.toml"
    path.write_text(block, encoding="utf-8")
    pack = load_pack(path)
    assert [rule.id for rule in pack.rules] == ["my_site_app_prompt"]
    assert all(check_rule(rule) == [] for rule in pack.rules)


def test_readme_links_to_manual_pages_that_exist():
    links = re.findall(r"\]\((docs/[^)#]+)\)", README)
    assert len(links) >= 8
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert missing == []
