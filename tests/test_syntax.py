"""Reading roles and modality off a dependency tree (`events.coding.syntax`), on hand-written trees.

The trees are written here, not parsed, so these tests pin the grammar's reading of each relation whatever the
model predicts; `tests/test_parse.py` tests the model, `tests/test_coder.py` the two together.
"""

from __future__ import annotations

import pytest

from events.coding.actors import Actor, Group
from events.coding.parse import Parse
from events.coding.syntax import Tree


def tree(spec: str, groups: list[tuple[int, int]] = ()) -> Tree:
    """Build a tree from "word/TAG/rel>head ..." (head as a token index; the root points to itself)."""
    words, tags, heads, deps = [], [], [], []
    for item in spec.split():
        word, tag, rest = item.split("/")
        rel, head = rest.split(">")
        words.append(word)
        tags.append(tag)
        deps.append(rel)
        heads.append(int(head))
    grps = tuple(Group((Actor(f"A{a}", 0, 0, a, b, (f"a{a}",)),), a, b, None) for a, b in groups)
    return Tree(Parse(tuple(tags), tuple(heads), tuple(deps)), tuple(w.lower() for w in words), grps)


ACTIVE = tree("Iran/NNP/nsubj>1 attacked/VBD/ROOT>1 the/DT/det>3 base/NN/obj>1", [(0, 1)])
PASSIVE = tree("The/DT/det>1 base/NN/nsubj:pass>3 was/VBD/aux:pass>3 attacked/VBN/ROOT>3 by/IN/case>5 Iran/NNP/obl:agent>3",
               [(1, 2), (5, 6)])
SHARED = tree("Iran/NNP/nsubj>1 met/VBD/ROOT>1 and/CC/cc>3 signed/VBD/conj>1 deals/NNS/obj>3", [(0, 1)])
CONTROL = tree("NATO/NNP/nsubj>1 urged/VBD/ROOT>1 Serbia/NNP/obj>1 to/TO/mark>4 withdraw/VB/xcomp>1", [(0, 1), (2, 3)])
RELATIVE = tree("Hamas/NNP/nsubj>6 ,/,/punct>0 which/WDT/nsubj>3 rules/VBZ/acl:relcl>0 Gaza/NNP/obj>3 ,/,/punct>0 "
                "fired/VBD/ROOT>6", [(0, 1), (4, 5)])


def test_syntax_subject_object_and_passive_agent():
    assert ACTIVE.subject(1) == 0 and ACTIVE.objects(1) == [3]
    assert not ACTIVE.is_passive(1)
    assert PASSIVE.is_passive(3)
    assert PASSIVE.agent(3) == 5 and PASSIVE.passive_subject(3) == 1


def test_syntax_conjoined_verbs_share_their_subject():
    assert SHARED.subject(3) == 0


def test_syntax_object_control_gives_the_infinitive_its_subject():
    assert CONTROL.subject(4) == 2  # Serbia withdraws, not NATO


def test_syntax_relative_clause_subject_is_its_pronoun_then_its_noun():
    assert RELATIVE.subject(3) == 2  # "which": the coder resolves it to the modified noun
    assert RELATIVE.head(RELATIVE.head(2)) == 0


@pytest.mark.parametrize(
    "spec, verb, expected",
    [
        ("Iran/NNP/nsubj>3 did/VBD/aux>3 not/RB/advmod>3 attack/VB/ROOT>3", 3, "hypothetical"),
        ("Iran/NNP/nsubj>2 will/MD/aux>2 attack/VB/ROOT>2", 2, "future"),
        ("Iran/NNP/nsubj>2 could/MD/aux>2 attack/VB/ROOT>2", 2, "hypothetical"),
        ("Iran/NNP/nsubj>1 refused/VBD/ROOT>1 to/TO/mark>3 meet/VB/xcomp>1", 3, "negated"),
        ("Iran/NNP/nsubj>1 plans/VBZ/ROOT>1 to/TO/mark>3 visit/VB/xcomp>1", 3, "future"),
        ("if/IN/mark>2 Iran/NNP/nsubj>2 attacks/VBZ/advcl>5 ,/,/punct>5 Israel/NNP/nsubj>5 responds/VBZ/ROOT>5", 2, "hypothetical"),
        ("Iran/NNP/nsubj>1 attacked/VBD/ROOT>1", 1, "asserted"),
    ],
)
def test_syntax_modality(spec, verb, expected):
    assert tree(spec).modality(verb, frozenset(["refused"])) == expected


def test_syntax_group_for_follows_the_noun_phrase_not_places():
    t = tree("an/DT/det>1 assembly/NN/nsubj>6 of/IN/case>3 ministers/NNS/nmod>1 in/IN/case>5 Cairo/NNP/nmod>1 "
             "met/VBD/ROOT>6", [(3, 4), (5, 6)])
    assert t.group_for(1).tok_start == 3  # the ministers, not Cairo
    t = tree("the/DT/det>1 minister/NN/nsubj>4 in/IN/case>3 Cairo/NNP/nmod>1 met/VBD/ROOT>4", [(3, 4)])
    assert t.group_for(1) is None


def test_syntax_oblique_objects_exclude_places_and_agents():
    t = tree("Iran/NNP/nsubj>1 met/VBD/ROOT>1 with/IN/case>3 Russia/NNP/obl>1 in/IN/case>5 Cairo/NNP/obl>1",
             [(0, 1), (3, 4), (5, 6)])
    assert t.objects(1) == [3]
    assert t.objects(1, allow_places=True) == [3, 5]


def test_syntax_subtree_stops_where_told():
    t = CONTROL
    assert t.subtree(1) == [0, 1, 2, 3, 4]
    assert t.subtree(1, stop=frozenset([4])) == [0, 1, 2]
