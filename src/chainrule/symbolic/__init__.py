"""chainrule's symbolic side (SymPy only): derivations built step by step, every step proven.

The rooms, in the order a newcomer reads them:

- :mod:`.core`: σ and the shared symbols, the data model every renderer reads (Derivation,
  Route, Step, Check), expression trees that SymPy must not tidy, and the engine that runs a
  derivation script, proving each step as it is made;
- :mod:`.proof`: the checkers: the step checker and its tiers, proof by congruence, index
  notation at concrete sizes, and matrix equations entry by entry with their shapes;
- :mod:`.rules`: the textbook differentiation rules, the table of outer derivatives, and how
  rule applications become lines of a page;
- :mod:`.moves`: the named algebraic moves (one rewrite each), recognising a given quantity,
  the tidy plan that picks moves for a rule result, the registry of every move id, and the
  one way a move says it does not apply;
- :mod:`.catalog`: the activations and losses (read from :mod:`chainrule.facts`), the safe
  parser of user text and its size bounds;
- :mod:`.derivations`: the scripts: the reference derivations [1]-[6], the same set for any
  activation and loss, softmax, the layer equations, and any expression.
"""
