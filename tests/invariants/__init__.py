"""Stateful property-based suite: random operations by every persona vs a model of the contract.

``scenario`` builds the people (3 offices, staff of every kind, clients, a dual-role login),
``model`` predicts what the contract (ARCHITECTURE sections 5-7) allows and what each operation
leaves behind, ``driver`` runs operations as the Data API would and records them as psql-pasteable
SQL, ``machine`` is the hypothesis RuleBasedStateMachine that ties them together and checks the
invariants after every step. The model is written from the contract, not from
policies/access_matrix.toml, so the two check each other.
"""
