-- The named personas and objects of the generated data set.
SELECT a.nome, a.valor FROM bench.alvos AS a ORDER BY a.nome;
