"""Closed-class English words the coder relies on besides the parse (auxiliaries, negators, pronouns, …).

These are properties of English, not of any codebook: determiners, prepositions, auxiliaries, pronouns and
negators. Content words (verbs, actors, event codes) always come from the codebook.
"""

DETERMINERS = frozenset(
    "the a an its their his her our your this that these those both all some several many two three four "
    "five fellow other another each every any such".split()
)
# Prepositions that put an actor in a modifier phrase ("in New York", "on the sidelines of the UN"),
# which therefore cannot be the subject of the clause's verb.
PREPOSITIONS = frozenset(
    "in at on of from near during across throughout inside outside into onto within via to for with by over "
    "under about after before since until amid among between against toward towards than like despite "
    "including regarding concerning per upon behind beyond".split()
)
BE_FORMS = frozenset("be is are was were been being".split())
# Words that may stand between an auxiliary and its verb: "was reportedly attacked", "has also been".
ADVERBS = frozenset("also reportedly allegedly already still just later since again now then previously recently "
                    "repeatedly once twice fatally seriously badly heavily briefly first last today yesterday tonight "
                    "tomorrow overnight soon jointly together immediately formally officially publicly".split())
HAVE_FORMS = frozenset("have has had having".split())
NEGATORS = frozenset("not n't never no".split())
# "has yet to concede", "is yet to meet": what has not happened; "has to concede", "have to leave": an obligation
NOT_YET = frozenset(["yet"])
PRESENT_HAVE = frozenset(["have", "has"])
FUTURE_MARKERS = frozenset("will shall 'll would".split())
HYPOTHETICAL = frozenset("could might may should must can cannot".split())
# Going-to and scheduled futures: "is to meet", "is set to visit", "plans to sign".
FUTURE_LEADS = frozenset("plan plans planned planning intend intends intended set expected due scheduled going "
                         "hope hopes hoped wants want wanted seek seeks seeking prepare prepares preparing "
                         "willing ready prepared poised eager vow vows vowed pledge pledges pledged promise "
                         "promises promised offer offers offered swear swears swore sworn vowing pledging promising "
                         "threaten threatens threatened threatening aim aims aimed"
                         .split())
INDEFINITE = frozenset(["a", "an", "another"])
CONDITIONALS = frozenset(["if", "unless", "whether", "lest"])
# Prepositions whose object is a place or the agent of a passive, never the target of the verb before them.
NON_TARGET_PREPOSITIONS = frozenset("in at near inside outside across throughout during by from via within amid since "
                                    "after before until behind beyond".split())
# "the foreign minister of Iran", "police in Nairobi", "refugees from Syria": an agent's country after it.
# prepositions that set the scene of a statement: "said in a meeting with", "at talks with", "during a call with"
SETTING_PREPOSITIONS = frozenset(["in", "at", "during"])
AGENT_OF = frozenset(["of", "in", "from", "for"])
AGENT_FOR = frozenset(["for"])  # "a spokesman for the ministry": only after a determiner (see actors._agent_of)
# A place after these can be the target of an act done there ("aid to refugees in Liberia"), when nothing else is.
VENUE_PREPOSITIONS = frozenset(["in", "at"])  # "met in Cairo", "talks at Camp David": where an act took place
PLACE_PREPOSITIONS = frozenset(["in", "at", "near", "inside", "across", "throughout", "within", "from"])
QUANTIFIERS = frozenset("dozens hundreds thousands millions tens scores some many several most all both none "
                        "group groups number members crowds crowd".split())
# Time expressions that may stand between a verb and the rest of its pattern ("demanded Friday that").
TIME_WORDS = frozenset("monday tuesday wednesday thursday friday saturday sunday today yesterday tonight week weekend "
                       "month year morning evening".split())
TIME_LEADS = frozenset("on last this early late next".split())
TIME_TAILS = frozenset("morning afternoon evening night".split())
OBLIGATIONS = frozenset(["must"])
RELATIVE_PRONOUNS = frozenset(["that", "which", "who"])
NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten dozen hundred thousand million billion "
                         "trillion".split())
NAME_PARTICLES = frozenset("bin ibn al el de da van von der du la le abu".split())
ADVERBIAL_PAIRS = frozenset([("in", "principle"), ("in", "writing"), ("on", "paper"), ("for", "now"), ("at", "last"),
                             ("once", "again")])
# Adverbs that may stand between the words of a pattern ("agreed unanimously to", "met again with").
PATTERN_ADVERBS = frozenset("again also unanimously formally officially jointly separately briefly repeatedly "
                            "reportedly allegedly finally eventually quickly swiftly strongly sharply publicly "
                            "privately secretly personally directly immediately".split())
# Verbs whose object noun names the event itself: "announced a suspension of", "launched an offensive against".
LIGHT_VERBS = frozenset("announce announced announces undertake undertook undertakes launch launched launches carry carried "
                        "carries conduct conducted conducts make made makes hold held holds begin began begins start "
                        "started starts order ordered orders stage staged stages mount mounted mounts propose proposed "
                        "proposes declare declared declares impose imposed imposes".split())
# Verbs whose -ing complement is itself the act: "resumed shelling", "continued fighting", "began withdrawing".
ASPECT_VERBS = frozenset("resume resumed resumes resuming continue continued continues continuing begin began begins "
                         "beginning start started starts starting keep kept keeps stop stopped stops".split())
# Non-word tokens a pattern gap may span: hyphens and money ("a 30-day curfew", "donated $10 million to").
GAP_SYMBOLS = frozenset(["-", "‐", "$", "€", "£", "¥", "%"])
# Nouns that name a body of people, never one person: no antecedent of "he" or "she".
COLLECTIVE_NOUNS = frozenset("people police military clergy population public crowd mob staff personnel".split())
GENERIC_PEOPLE = frozenset(["people", "person", "persons", "others"])
OBJECT_PRONOUNS = frozenset(["him", "her", "them"])
# "the group", "the kingdom": definite descriptions that refer back to the last organisation or country.
ANAPHORIC_NOUNS = frozenset("group alliance kingdom country bloc organisation organization movement militia "
                            "republic emirate state".split())
SUBJECT_PRONOUNS = {"he": "singular", "she": "singular", "they": "plural", "it": "thing"}
POSSESSIVE_PRONOUNS = frozenset(["its", "their", "his", "her"])
# Inside a quotation these are its speaker: "we will respond", "my government".
FIRST_PERSON = frozenset(["i", "we", "me", "us", "my", "our"])
# Words that may stand for an actor named earlier ("he", "their", "we" in a quotation, "the group", "the two leaders").
REFERRING_WORDS = frozenset(SUBJECT_PRONOUNS) | OBJECT_PRONOUNS | POSSESSIVE_PRONOUNS | FIRST_PERSON | ANAPHORIC_NOUNS | {"two"}
QUOTE_MARKS = frozenset(['"', "“", "”"])
CONJUNCTIONS = frozenset(["and", ",", "&", "or"])
JOINING_WORDS = frozenset(["and", "or", "&", "well", "with"])  # what makes a list a compound, not just commas
COMPOUND_LINKS = (("as", "well", "as"), ("along", "with"), ("together", "with"), ("and",), (",",), ("&",))
QUESTION_MARK = "?"

AUXILIARIES = BE_FORMS | HAVE_FORMS | FUTURE_MARKERS | HYPOTHETICAL | frozenset("do does did".split())
# Words after a noun that show it is the head of its phrase, not a modifier of the next word.
FUNCTION_WORDS = (DETERMINERS | PREPOSITIONS | AUXILIARIES | NEGATORS | CONJUNCTIONS | CONDITIONALS
                  | frozenset("who which that whose where when said says say told also has have had".split()))
