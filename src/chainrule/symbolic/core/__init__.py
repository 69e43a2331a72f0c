"""The core of every derivation: σ and the shared symbols (:mod:`.symbols`), the data model
(:mod:`.model`), expression trees kept as built (:mod:`.trees`), the engine that proves each
step as a script makes it (:mod:`.engine`) and families of derivations that lean on each other
(:mod:`.recipes`)."""
