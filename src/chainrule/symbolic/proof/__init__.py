"""The checkers that prove claims: the step checker and its tiers (:mod:`.check`), rewrites
proven by the parts they change (:mod:`.congruence`), index notation at concrete sizes
(:mod:`.indexed`), and matrix equations entry by entry (:mod:`.matrix`) with their shapes
(:mod:`.shapes`)."""
