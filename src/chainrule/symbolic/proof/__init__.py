"""The checkers that prove claims: the step checker and its tiers (:mod:`.check`), rewrites
proven by the parts they change (:mod:`.congruence`), index notation at concrete sizes
(:mod:`.indexed`), matrix equations entry by entry (:mod:`.matrix`) with their shapes
(:mod:`.shapes`), the layers' arrays and their index check (:mod:`.tensors`), and claims proven
entry by entry in concrete layers (:mod:`.instances`), evaluated by :mod:`.evaluation` in
SymPy or in exact polynomials (:mod:`.algebras`, :mod:`.polynomials`); and what a rewrite did
(:mod:`.rewrite_class`), judged against what its move id names (:mod:`.honesty`)."""
