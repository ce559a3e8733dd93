"""Reading the dependency tree: who did what to whom, from subjects, objects, agents and clauses.

Pure functions of a `Parse` (tags, heads, relations of Universal Dependencies) and the sentence's actor groups.
The coder asks three questions of the tree for each verb a pattern matched: which actor group is the source,
which is the target, and in which modality the verb stands (asserted, future, negated, hypothetical). Nothing
here knows a country, a verb or an event code; the closed-class words it needs (auxiliaries, negators) are
English grammar, listed in `events.coding.grammar`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.coding import grammar as g
from events.coding.actors import Group
from events.coding.parse import Parse

VERB_TAGS = frozenset(["VB", "VBD", "VBG", "VBN", "VBP", "VBZ"])
NOUN_TAGS = frozenset(["NN", "NNS", "NNP", "NNPS"])
SUBJECTS = frozenset(["nsubj", "nsubj:outer", "csubj"])
PASSIVE_SUBJECTS = frozenset(["nsubj:pass", "csubj:pass"])
OBJECTS = frozenset(["obj", "iobj"])
# Relations inside a noun phrase that lead from its head to the actor it names: "the foreign minister of Iran",
# "Iran's foreign minister", "an assembly of ministers", "al-Assadi, a spokesman for the PMF".
NOUN_LINKS = ("compound", "flat", "amod", "nmod:poss", "appos", "nmod", "nmod:unmarked", "nmod:desc")
# Prepositions whose noun phrase names the owner or the members of a noun, not a place or a time.
OWNER_CASES = frozenset(["of", "from", "'s", "for", "by"])
# Clausal relations through which an embedded verb takes its subject from the verb above it.
SHARED_SUBJECT = frozenset(["conj", "xcomp", "advcl"])


@dataclass(frozen=True)
class Tree:
    """A parsed sentence with its actor groups, and indexes the questions need."""

    parse: Parse
    lowers: tuple[str, ...]
    groups: tuple[Group, ...]
    kids: list[list[int]] = field(init=False, repr=False, compare=False)  # dependents of each token
    group_at: dict[int, Group] = field(init=False, repr=False, compare=False)  # the actor group a token belongs to

    def __post_init__(self):
        kids: list[list[int]] = [[] for _ in self.lowers]
        for k, h in enumerate(self.parse.heads):
            if h != k:
                kids[h].append(k)
        group_at: dict[int, Group] = {}
        for grp in self.groups:
            for k in range(grp.tok_start, grp.tok_end):
                group_at.setdefault(k, grp)
        object.__setattr__(self, "kids", kids)
        object.__setattr__(self, "group_at", group_at)

    # -- basic reading ----------------------------------------------------------------------------------
    def tag(self, i: int) -> str:
        return self.parse.tags[i]

    def dep(self, i: int) -> str:
        return self.parse.deps[i]

    def head(self, i: int) -> int:
        return self.parse.heads[i]

    def children(self, i: int, *deps: str) -> list[int]:
        kids = self.kids[i]
        return [k for k in kids if not deps or self.parse.deps[k] in deps]

    def case_of(self, i: int) -> str | None:
        """The preposition of a noun ("in" for "in Cairo"), or the possessive marker."""
        for k in self.children(i, "case"):
            return self.lowers[k]
        return None

    def is_verb(self, i: int) -> bool:
        return self.parse.tags[i] in VERB_TAGS

    def is_noun(self, i: int) -> bool:
        return self.parse.tags[i] in NOUN_TAGS

    # -- actors -------------------------------------------------------------------------------------------
    def group_for(self, i: int, depth: int = 3) -> Group | None:
        """The actor group that the phrase headed by token i names, if any.

        The head itself when it is part of an actor; else, breadth first through the phrase's own modifiers
        (compounds, adjectives, possessives, appositions, "of" phrases), never into a place or a time
        ("ministers in Cairo") nor into a clause.
        """
        group_at = self.group_at
        if i in group_at:
            return group_at[i]
        frontier = [i]
        for _ in range(depth):
            nxt = []
            for node in frontier:
                for k in self.children(node, *NOUN_LINKS):
                    if self.parse.deps[k].startswith("nmod") and self.parse.deps[k] != "nmod:poss":
                        case = self.case_of(k)
                        if case is not None and case not in OWNER_CASES:
                            continue
                    if k in group_at:
                        return group_at[k]
                    nxt.append(k)
            frontier = nxt
        return None

    # -- clause structure ------------------------------------------------------------------------------
    def clause_head(self, i: int) -> int:
        """The verb whose clause token i sits in (i itself for a verb)."""
        seen = 0
        while not self.is_verb(i) and self.head(i) != i and seen < 20:
            i = self.head(i)
            seen += 1
        return i

    def subject(self, h: int) -> int | None:
        """Token index of the subject of verb h: its own, or the one it shares with the verb above it
        ("met and held talks", "agreed to meet", "…, accusing the ministry of negligence")."""
        seen = 0
        while seen < 6:
            seen += 1
            subj = self.children(h, *SUBJECTS)
            if not subj and not self.children(h, "aux:pass"):
                subj = self.children(h, *PASSIVE_SUBJECTS)  # a subject mislabelled passive on an active verb
            if subj:
                return subj[0]
            rel = self.dep(h)
            parent = self.head(h)
            if parent == h:
                return None
            if rel == "acl:relcl":
                # "Hamas, which advocates …": the noun the clause modifies is its subject when the relative
                # pronoun is (it has no subject of its own here: the pronoun would be one)
                return parent
            if rel == "acl" and self.tag(h) == "VBG":
                return parent  # "soldiers firing on protesters"
            if rel == "xcomp":
                obj = self.children(parent, "obj")
                if obj:
                    return obj[0]  # "urged Iran to release …": object control
            if rel in SHARED_SUBJECT:
                h = parent
                continue
            return None
        return None

    def passive_subject(self, h: int) -> int | None:
        seen = 0
        while seen < 4:
            seen += 1
            subj = self.children(h, *PASSIVE_SUBJECTS) or self.children(h, *SUBJECTS)
            if subj:
                return subj[0]
            if self.dep(h) == "conj" and self.head(h) != h:
                h = self.head(h)  # "was shot and killed"
                continue
            if self.dep(h) == "acl" and self.tag(h) == "VBN":
                return self.head(h)  # "the strike, approved by the president": the noun is the patient
            return None
        return None

    def is_passive(self, h: int) -> bool:
        """A passive verb: "be"/"get" as its passive auxiliary ("was killed"), a reduced relative ("the strike,
        approved by …"), or the second of "was shot and killed". The auxiliary is a surer sign than the subject's
        label, which the parser confuses more often."""
        if self.children(h, "aux:pass"):
            return True
        if self.dep(h) == "acl" and self.tag(h) == "VBN":
            return True
        if self.dep(h) == "conj" and self.tag(h) == "VBN" and not self.children(h, *SUBJECTS):
            return self.is_passive(self.head(h)) if self.head(h) != h else False
        return False

    def agent(self, h: int) -> int | None:
        """The "by" phrase of a passive verb."""
        for k in self.children(h, "obl:agent", "obl"):
            if self.case_of(k) == "by":
                return k
        return None

    def objects(self, h: int, allow_places: bool = False) -> list[int]:
        """Objects of verb h, direct first, then prepositional objects that can be parties (not places,
        times or agents), then (when allowed) places."""
        direct = self.children(h, *OBJECTS)
        oblique, places = [], []
        for k in self.children(h, "obl", "obl:unmarked", "nmod"):
            if self.dep(k) == "obl:unmarked" and self.group_for(k) is None:
                continue  # "next month", "last week": a bare noun phrase of time, no party
            case = self.case_of(k)
            if case in g.NON_TARGET_PREPOSITIONS:
                if case in g.PLACE_PREPOSITIONS:
                    places.append(k)
                continue
            oblique.append(k)
        # xcomp/ccomp objects are other events; an "obj" of a particle verb is still the object
        return direct + oblique + (places if allow_places else [])

    # -- modality ---------------------------------------------------------------------------------------
    def modality(self, h: int, refusal: frozenset[str]) -> str:
        """asserted / future / negated (refused: a rejection) / hypothetical, from h's auxiliaries,
        negation, the verb that governs it ("refused to meet", "plans to visit") and conditional clauses."""
        node = h
        for _ in range(6):
            for k in self.children(node, "aux", "aux:pass", "advmod", "mark"):
                w = self.lowers[k]
                if w in g.NEGATORS and self.dep(k) == "advmod":
                    return "hypothetical"  # "did not meet": nothing happened
                if w in g.NOT_YET and self.dep(k) == "advmod" and "to" in (self.lowers[c] for c in self.children(node, "mark")):
                    return "hypothetical"  # "is yet to meet"
                if w in g.FUTURE_MARKERS:
                    return "future"
                if w in g.HYPOTHETICAL or w in g.CONDITIONALS:
                    return "hypothetical"
            rel, parent = self.dep(node), self.head(node)
            if parent == node:
                break
            if rel == "xcomp":
                word = self.lowers[parent]
                above = self.modality(parent, refusal)  # "must be ready to mediate", "did not agree to meet"
                if above == "hypothetical":
                    return above
                if word in refusal:
                    return "negated"
                if word in g.PRESENT_HAVE or any(self.lowers[k] in g.NOT_YET for k in self.children(parent, "advmod")):
                    return "hypothetical"  # "has to concede" (an obligation), "has yet to concede": not happened
                if word in g.FUTURE_LEADS or above == "future":
                    return "future"
                return above
            if rel == "conj":
                node = parent
                continue
            if rel == "advcl" and any(self.lowers[k] in g.CONDITIONALS for k in self.children(node, "mark")):
                return "hypothetical"
            break
        return "asserted"

    def subtree(self, i: int, stop: frozenset[int] = frozenset()) -> list[int]:
        """Token indexes dominated by i (i included), not descending into the nodes in `stop`."""
        out, todo = [], [i]
        while todo:
            node = todo.pop()
            out.append(node)
            todo.extend(k for k in self.children(node) if k not in stop)
        return sorted(out)

    def governors(self, h: int) -> list[tuple[str, int]]:
        """The chain of (relation, verb) above h through clausal complements: what frames h."""
        out = []
        node = h
        for _ in range(8):
            parent = self.head(node)
            if parent == node:
                break
            out.append((self.dep(node), parent))
            node = parent
        return out


__all__ = ["Tree", "VERB_TAGS", "NOUN_TAGS"]
