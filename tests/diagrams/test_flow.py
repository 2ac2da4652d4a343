"""The flow of a reglament as drawn (lanes, shapes, labels, routes) and its two writers, checked
without external tools; tests/diagrams/test_real_parsers.py feeds the same text to Mermaid and
Graphviz."""

from __future__ import annotations

from pathlib import Path

import pytest

from reglament.errors import UsageError
from reglament.loader import BUNDLED, load
from reglament.renderers import diagrams
from reglament.renderers.flow import EdgeKind, Shape, build, duration_lines, reachable
from reglament.schemas import Duration, DurationCase, Language, Reglament, Task, Unit
from reglament.schemas.words import next_text

ROOT = Path(__file__).resolve().parent.parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
NASTY = Path(__file__).parent / "nasty.yaml"
SEMEY = BUNDLED / "karaganda-2015" / "semey-compensation.yaml"


@pytest.fixture(scope="module")
def minimal() -> Reglament:
    return load(MINIMAL)


@pytest.fixture(scope="module")
def semey() -> Reglament:
    return load(SEMEY)


def test_every_step_kind_has_its_shape_and_lane(minimal: Reglament) -> None:
    flow = build(minimal)
    shapes = {node.step: node.shape for node in flow.nodes}
    assert shapes == {
        "register": Shape.task,
        "check": Shape.decision,
        "ask": Shape.wait,
        "prepare": Shape.parallel,
        "draft": Shape.task,
        "stamp": Shape.task,
        "together": Shape.join,
        "issued": Shape.end,
        "refused": Shape.end,
        "office": Shape.entry,
    }
    lanes = {lane.actor: [node[2:] for node in lane.nodes] for lane in flow.lanes}
    assert lanes == {"clerk": ["register", "ask", "draft"], "head": ["check", "stamp"]}
    assert all(n.lane is None for n in flow.nodes if n.shape in (Shape.end, Shape.parallel))


def test_labels_carry_each_steps_time(minimal: Reglament) -> None:
    labels = {node.step: node.lines for node in build(minimal).nodes}
    assert labels["register"] == ("register", "30 minutes (not in the term)")
    assert labels["check"] == ("check", "1 working day")
    assert labels["ask"] == ("ask", "waits at most 5 working days")
    assert labels["draft"] == ("draft", "2 hours")
    assert labels["issued"] == ("issued", "result")
    assert labels["office"] == ("apply: office", "the office")


def test_routes_are_labelled_by_outcome_condition_and_timeout(minimal: Reglament) -> None:
    edges = {(e.source, e.target, e.lines, e.kind) for e in build(minimal).edges}
    assert edges == {
        ("c_office", "s_register", (), EdgeKind.normal),
        ("s_register", "s_check", (), EdgeKind.normal),
        (
            "s_check",
            "s_prepare",
            ("complete", "if variant == 'standard' and", "documents_complete"),
            EdgeKind.normal,
        ),
        ("s_check", "s_ask", ("complete", "otherwise"), EdgeKind.normal),
        ("s_check", "s_ask", ("lacking",), EdgeKind.normal),
        ("s_ask", "s_check", (), EdgeKind.normal),
        ("s_ask", "s_refused", ("timeout: 5 working days",), EdgeKind.timeout),
        ("s_prepare", "s_draft", (), EdgeKind.normal),
        ("s_prepare", "s_stamp", (), EdgeKind.normal),
        ("s_draft", "s_together", (), EdgeKind.normal),
        ("s_stamp", "s_together", (), EdgeKind.normal),
        ("s_together", "s_issued", (), EdgeKind.normal),
    }


def test_inferred_routes_and_untimed_steps_are_marked(semey: Reglament) -> None:
    flow = build(semey)
    inferred = {(e.source, e.target) for e in flow.edges if e.kind is EdgeKind.inferred}
    assert ("s_con_check_data", "s_con_send") in inferred
    assert ("s_issue", "s_con_hand_result") in inferred  # a route of a list, inferred
    assert ("s_issue", "s_issued") not in inferred
    untimed = {node.step for node in flow.nodes if node.untimed}
    assert untimed == {"process", "ztmo-pay"}  # by schedule (one case), untimed


def test_conditional_durations_are_listed_case_by_case() -> None:
    cases = [
        DurationCase(when="variant == 'a'", unit=Unit.working_days, value=17),
        DurationCase(unit=Unit.by_schedule, schedule="payments"),
    ]
    assert duration_lines(cases) == (
        "if variant == 'a':",
        "→ 17 working days",
        "otherwise:",
        "→ by schedule payments",
    )
    assert duration_lines(Duration(unit=Unit.minutes, value=1)) == ("1 minute",)
    assert duration_lines(Duration(unit=Unit.untimed)) == ("no time in the act",)


def test_a_channel_keeps_only_what_its_start_reaches(semey: Reglament) -> None:
    office = build(semey, "office")
    steps = {node.step for node in office.nodes}
    assert steps == {"office", "register", "review", "process", "sign", "issue", "ztmo-pay"} | {
        "issued",
        "paid",
    }
    assert steps == {"office", *reachable(semey, "register", "office")}
    # without the channel known, the PSC's hand-over ('channel == con') is reachable too
    assert "con-hand-result" in reachable(semey, "register")
    assert [lane.actor for lane in office.lanes] == ["clerk", "head", "executor", "ztmo"]
    assert [e.lines for e in office.edges if e.source == "s_issue"] == [
        ("if variant == 'compensation'",),
        ("otherwise",),
    ]
    con = build(semey, "con")
    assert {node.step for node in con.nodes} >= {"con", "con-hand-over", "register", "refused"}
    assert "office" not in {node.step for node in con.nodes}
    assert con.title.endswith(", channel con")
    # on the PSC channel the clerk's issue surely goes to the PSC hand-over: no 'otherwise'
    assert [(e.target, e.lines) for e in con.edges if e.source == "s_issue"] == [
        ("s_ztmo_pay", ("if variant == 'compensation'",)),
        ("s_con_hand_result", ("if channel == 'con'",)),
    ]


def test_a_route_the_channel_leaves_alone_is_unlabelled() -> None:
    child = load(BUNDLED / "atyrau-2012" / "child-benefit-under-18.yaml")
    office = {(e.source, e.target): e.lines for e in build(child, "office").edges}
    assert office[("s_ab_accept", "s_resolution")] == ()  # not 'otherwise': the only way
    assert office[("s_issue_refusal", "s_refused")] == ()
    whole = {(e.source, e.target): e.lines for e in build(child).edges}
    assert whole[("s_ab_accept", "s_resolution")] == ("otherwise",)


def test_a_lone_inferred_route_is_dashed_and_unlabelled(semey: Reglament) -> None:
    # con-data-unavailable's only way on is written as a list to mark it inferred (000:146)
    edges = {(e.source, e.target): e for e in build(semey, "con").edges}
    edge = edges[("s_con_data_unavailable", "s_data_unavailable")]
    assert edge.lines == () and edge.kind is EdgeKind.inferred  # not 'otherwise': the only way
    step = semey.steps["con-data-unavailable"]
    assert isinstance(step, Task) and next_text(step.next) == "data-unavailable"


def test_unknown_or_empty_channels_are_usage_errors(semey: Reglament) -> None:
    with pytest.raises(
        UsageError,
        match=r"unknown channel 'post' for semey-compensation; channels: office, con, ztmo",
    ):
        build(semey, "post")
    with pytest.raises(
        UsageError, match=r"'ztmo' .* has no procedure in the act; channels with one: office, con"
    ):
        build(semey, "ztmo")


def test_names_in_the_language_asked_for_where_the_act_has_it() -> None:
    nasty = load(NASTY)
    lanes = {lane.actor: lane.lines for lane in build(nasty, language=Language.kk).lanes}
    assert lanes["clerk"][0].startswith("Қабылдау бөлімінің «маманы»")
    assert lanes["head"] == ("end",)  # no Kazakh name: English


def test_ids_are_safe_whatever_the_step_is_called() -> None:
    nasty = load(NASTY)  # steps called 'end', 'subgraph', 'x'; an outcome called 'graph'
    text = diagrams.mermaid_flowchart(nasty)
    assert "  s_end{" in text and "  s_subgraph([" in text and "  s_x{{" in text
    assert "\n  end\n" in text  # only subgraphs are closed with a bare 'end'
    assert text.count("\n  end\n") == len(build(nasty).lanes)


def test_mermaid_escapes_what_could_break_a_label() -> None:
    assert diagrams.mermaid_text('a "b" #c <d> & |e| `f`') == (
        "a #34;b#34; #35;c #60;d#62; #38; #124;e#124; #96;f#96;"
    )
    text = diagrams.mermaid_flowchart(load(NASTY))
    for line in text.splitlines()[4:]:
        assert "<script>" not in line and '\\"' not in line
        if line.lstrip().startswith(("s_", "c_", "subgraph")):
            # a label is one quoted string: no stray quote inside it
            assert line.count('"') in (0, 2, 4), line


def test_dot_escapes_into_html_labels() -> None:
    assert diagrams.dot_text('<b>"x" & y</b>') == "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
    text = diagrams.dot(load(NASTY))
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_dot_has_a_cluster_per_actor_and_a_cyrillic_font(semey: Reglament) -> None:
    text = diagrams.dot(semey)
    assert text.startswith('digraph "semey-compensation" {\n')
    assert text.count("subgraph cluster_a_") == len(semey.actors)  # every actor has steps
    assert 'fontname="DejaVu Sans"' in text
    assert (
        "  e7 [shape=plain, fontsize=9, label=<found>];\n"
        "  s_con_check_data -> e7 [arrowhead=none, style=dashed];\n"
        "  e7 -> s_con_send [style=dashed];\n"
    ) in text


def test_the_graphviz_error_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(diagrams.GraphvizMissing) as caught:
        diagrams.graphviz("digraph {}", "svg")
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "format=svg needs Graphviz's 'dot' program, which is not on PATH; install Graphviz "
        "(e.g. apt-get install graphviz) or use format=dot or mermaid"
    )


def test_the_drawings_own_words_in_the_language_asked_for() -> None:
    # durations as the notifications write them, the words around ids and conditions in the
    # language; ids, outcomes and conditions as the file has them; English left as it was
    tsa = load(BUNDLED / "atyrau-2012" / "targeted-social-assistance.yaml")
    lines = {lang: {n.step: n.lines for n in build(tsa, "office", lang).nodes} for lang in Language}
    assert lines[Language.ru]["ab-accept"] == ("ab-accept", "15 минут")
    assert lines[Language.kk]["review"] == ("review", "7 жұмыс күні")
    assert lines[Language.en]["review"] == ("review", "7 working days")
    assert (
        lines[Language.ru]["issued"][1] == "результат"
        and lines[Language.en]["issued"][1] == "result"
    )
    assert lines[Language.ru]["office"][0] == "обращение: office"
    ru = build(tsa, "office", Language.ru).title
    assert (
        ru
        == "targeted-social-assistance (atyrau), редакция, действующая с 2012-11-09, способ обращения office"
    )
    en = build(tsa, "office").title
    assert (
        en
        == "targeted-social-assistance (atyrau), version in force from 2012-11-09, channel office"
    )
