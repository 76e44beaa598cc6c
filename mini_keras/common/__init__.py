"""The ground floor: framework-free pieces that every other part of mini_keras builds on.

Modules here import nothing else of ``mini_keras`` (a scan test checks it), so ``backends/`` can
use them without pointing upward: nest utilities (:mod:`.nest`), the stateless scope
(:mod:`.stateless`), float/epsilon/image-format settings (:mod:`.settings`), the distribution
descriptors (:mod:`.distribution`) and the hooks through which upper floors hand types down
(:mod:`.hooks`).
"""
