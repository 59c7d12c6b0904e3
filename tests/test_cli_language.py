"""The command line in the user's language: help and errors, did-you-mean, TOML line numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fazhi_sim import cli
from fazhi_sim.cli.language import argparse_message, translated_error, ui_lang
from fazhi_sim.engine.scenario import ScenarioError, load_scenario
from fazhi_sim.engine.toml_lines import key_line

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    # Each test says its language; the machine's locale must not decide it.
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def exits(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        cli.main(list(argv))
    out, err = capsys.readouterr()
    return info.value.code, out, err


def one_line(capsys, *argv: str) -> str:
    """Run a failing command (status 2, through SystemExit or not); its one stderr line."""
    try:
        code = cli.main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    assert code == 2, (argv, out, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


# -- which language ----------------------------------------------------------------------------


@pytest.mark.parametrize("argv, env, want", [
    (["run", "x"], {"LANG": "zh_CN.UTF-8"}, "zh"),
    (["run", "x"], {"LANG": "en_US.UTF-8"}, "en"),
    (["run", "x"], {}, "en"),
    (["run", "x"], {"LANG": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8"}, "zh"),
    (["run", "x", "--lang", "zh"], {"LANG": "C"}, "zh"),
    (["run", "x", "--lang=en"], {"LANG": "zh_CN.UTF-8"}, "en"),
    (["run", "x", "--lang", "fr"], {"LANG": "zh_CN"}, "zh"),  # a bad --lang: the locale's
])
def test_ui_language_from_flag_then_locale(argv, env, want):
    assert ui_lang(argv, env) == want


# -- help ----------------------------------------------------------------------------------------


def test_help_is_chinese_with_lang_zh(capsys):
    code, out, _ = exits(capsys, "run", "--help", "--lang", "zh")
    assert code == 0
    assert out.startswith("用法: fazhi-sim run")
    assert "\n选项:\n" in out and "\n位置参数:\n" in out
    assert "显示本帮助并退出" in out and "情景 .toml 文件" in out and "Excel 工作簿" in out
    assert "usage:" not in out and "show this help" not in out and "options:" not in out


def test_top_help_in_a_chinese_locale_lists_commands_in_chinese(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, out, _ = exits(capsys, "--help")
    assert code == 0 and out.startswith("用法: ")
    assert "用同一随机种子运行多个情景" in out  # compare's help
    assert "法治绍兴建设规划" in out


@pytest.mark.parametrize("command", ["run", "compare", "validate", "calibrate", "uncertainty",
                                     "sensitivity", "optimize"])
def test_every_option_has_chinese_help(capsys, command):
    code, out, _ = exits(capsys, command, "--help", "--lang", "zh")
    assert code == 0
    # Every option line (and its wrapped continuation) carries some Chinese.
    entries = re.split(r"\n  (?=-)", out.split("\n选项:\n", 1)[1])
    assert len(entries) >= 2
    for entry in entries:
        assert CJK.search(entry), (command, entry)


def test_english_help_stays_english(capsys):
    code, out, _ = exits(capsys, "compare", "--help", "--lang", "en")
    assert code == 0 and out.startswith("usage: fazhi-sim compare")
    for named in ("万人成讼率, 万人起诉率 and 信访量", "诸暨", "中文"):  # Chinese names kept
        out = out.replace(named, "")
    assert not CJK.search(out)


# -- argparse's errors, one line, did you mean ---------------------------------------------------


def test_misspelt_command_suggests_the_command(capsys):
    line = one_line(capsys, "comapre", "baseline")
    assert line.startswith("fazhi-sim: error: argument COMMAND: invalid choice: 'comapre'")
    assert "did you mean compare?" in line and "fazhi-sim --help" in line


def test_misspelt_command_in_chinese(capsys):
    line = one_line(capsys, "--lang", "zh", "valdate", "baseline")
    assert line.startswith("fazhi-sim: 错误: 参数 COMMAND: 'valdate' 不是可选值")
    assert "是否要输入 validate?" in line


def test_misspelt_option_suggests_the_commands_option(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    line = one_line(capsys, "run", "baseline", "--regoin", "town")
    assert line == ("fazhi-sim: 错误: 无法识别的参数: --regoin town; 是否要输入 --region? "
                    "(见 fazhi-sim run --help)")


def test_missing_argument_and_bad_choice_in_chinese(capsys):
    line = one_line(capsys, "run", "--lang", "zh")
    assert "缺少必需的参数: SCENARIO" in line
    line = one_line(capsys, "run", "baseline", "--freq", "week", "--lang", "zh")
    assert "参数 --freq: 'week' 不是可选值 (可选: 'year', 'month')" in line


def test_an_unknown_argparse_message_passes_through():
    assert argparse_message("something new", "zh") == "something new"


# -- our errors ----------------------------------------------------------------------------------


def test_unknown_region_suggests_the_region(capsys):
    line = one_line(capsys, "run", "baseline", "--region", "zuji")
    assert "unknown region 'zuji'; did you mean zhuji? allowed: shaoxing" in line
    line = one_line(capsys, "run", "baseline", "--region", "诸暨县", "--lang", "zh")
    assert "未知的地区 '诸暨县'; 是否要输入 诸暨? 允许: shaoxing" in line and "或区县中文名" in line


def test_unknown_lever_in_a_file_suggests_it_with_the_line(capsys, tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('name = "p"\n\n[levers]\nonline_cort = 0.5\n', encoding="utf-8")
    line = one_line(capsys, "validate", str(path))
    assert line.startswith(f"fazhi-sim: error: {path}:4: levers.online_cort: unknown lever; "
                           "did you mean online_court?")
    line = one_line(capsys, "validate", str(path), "--lang", "zh")
    assert line.startswith(f"fazhi-sim: 错误: {path}:4: levers.online_cort: 未知的措施; "
                           "是否要输入 online_court?")


PLAN = """\
name = "plan"
title = "规划"   # a comment
start_year = 2021

[levers.online_court]
target = 0.9

[levers.county_centre]
start = 2021
target = 80
full_by = 2023
"""


def test_share_given_as_percent_gets_the_hint_and_the_line(tmp_path, capsys):
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert (err.source, err.line, err.field) == (str(path), 10, "levers.county_centre.target")
    assert str(err) == (f"{path}:10: levers.county_centre.target: 80.0 is out of range; "
                        "allowed 0 to 1 (share); did you mean 0.8? write 1 for 100%")
    line = one_line(capsys, "run", str(path), "--lang", "zh")
    assert line == (f"fazhi-sim: 错误: {path}:10: levers.county_centre.target: 80.0 超出范围; "
                    "允许 0 到 1 (比例); 是否应为 0.8? 100% 请写 1")


def test_no_percent_hint_above_100_or_for_levers_that_are_not_shares(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[levers.county_centre]\ntarget = 150\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "did you mean" not in str(info.value)
    path.write_text("[levers.mediators_per_10k]\ntarget = 99\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "did you mean" not in str(info.value) and "write 1" not in str(info.value)


@pytest.mark.parametrize("text, field, line", [
    ("a = 1\n[levers.online_court]\ntarget = 2\n", "levers.online_court.target", 3),
    ("[levers]\nx = 1\nonline_court = 2\n", "levers.online_court.target", 3),
    ("[levers]\nonline_court.target = 2\n", "levers.online_court.target", 2),
    ("levers.online_court.target = 2\n", "levers.online_court.target", 1),
    ('[levers."online_court"]\n# note\n\ntarget = 2\n', "levers.online_court.target", 4),
    ("[levers]\nonline_court = { target = 2 }\n", "levers.online_court.target", 2),
    ("name = 'x'\n[levers.nope]\ntarget = 1\n", "levers.nope", 2),
    ("[params]\nname = 1\n[levers]\nname = 2\n", "params.name", 2),
    ("name = 'x'\n[params]\n", "end_year", None),  # not in the file: no line is guessed
])
def test_key_line_finds_the_setting(text, field, line):
    assert key_line(text, field) == line


def test_malformed_toml_names_its_line(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n\n[levers]\nonline_court = \n', encoding="utf-8")
    line = one_line(capsys, "validate", str(path))
    assert line.startswith(f"fazhi-sim: error: {path}:4: (syntax): malformed TOML")
    line = one_line(capsys, "validate", str(path), "--lang", "zh")
    assert line.startswith(f"fazhi-sim: 错误: {path}:4: (syntax): TOML 格式错误")


def test_errors_without_a_chinese_form_keep_their_english_text():
    text = "x.toml: name: something only the engine says"
    assert translated_error(text, "zh") == text


def test_out_extension_error_in_chinese(capsys, tmp_path):
    line = one_line(capsys, "run", "baseline", "--region", "town", "--lang", "zh", "--out",
                    str(tmp_path / "a.pdf"))
    assert line.endswith("--out: .pdf 不是表格格式; 允许: .csv, .xlsx (.xlsx 为 Excel 工作簿)")


def test_docs_show_the_message_a_file_gives(tmp_path):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "scenarios.md").read_text("utf-8")
    path = tmp_path / "plan.toml"
    path.write_text("\n" * 21 + "[levers.county_centre]\ntarget = 80\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).replace(str(path), "plan.toml") in doc


def test_region_file_error_in_chinese(capsys, tmp_path):
    path = tmp_path / "city.csv"
    path.write_text("county,population,towns,villages\na,12万,1,2\n", encoding="utf-8")
    line = one_line(capsys, "run", "baseline", "--region-file", str(path), "--lang", "zh")
    assert line == (f"fazhi-sim: 错误: {path}:2: population: '12万' 不允许; 请给出整数, 1 或以上, "
                    "不带单位 (122.92万 写作 1229200)")


def test_one_morris_trajectory_is_a_one_line_error_not_a_traceback(capsys):
    line = one_line(capsys, "sensitivity", "--trajectories", "1")
    assert line.endswith("--trajectories: 1 is not allowed; give a whole number from 2 to 1,000")
