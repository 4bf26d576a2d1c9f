"""Human judgments (eq. 3) and agreement (Table 1) against a direct scipy computation.

No real crowd votes exist offline: the vote files here are small constructed ones, used
only as oracles for H(u) and the correlations.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.errors import InputError, StateError
from attrdb.human import import_human, run_agreement


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _votes(tmp_path: Path, seed: int = 0, n_words: int = 12) -> tuple[Path, dict[str, list[int]]]:
    rng = np.random.default_rng(seed)
    votes = {
        f"w{i:02d}": list(rng.integers(0, 6, size=int(rng.integers(3, 9)))) for i in range(n_words)
    }
    lines = ["word,pair_id,positive_votes,n_annotators"]
    lines += [f"{w},{w}-{k},{v},5" for w, vs in votes.items() for k, v in enumerate(vs)]
    return _write(tmp_path / "votes.csv", lines), votes


def _insert_visualness(con: duckdb.DuckDBPyConnection, scores: dict[str, dict[str, float]]) -> None:
    con.executemany(
        "INSERT INTO visualness (model_id, scope, word, method, accuracy) "
        "VALUES ('m', 'default', ?, ?, ?)",
        [(w, m, a) for m, per_word in scores.items() for w, a in per_word.items()],
    )


@pytest.mark.parametrize("theta", [3, 2])
def test_h_is_the_share_of_pairs_with_more_than_theta_votes(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, theta: int
) -> None:
    path, votes = _votes(tmp_path)
    summary = import_human(con, path, theta=theta)
    assert summary["kind"] == "votes" and summary["n_rejected"] == 0
    assert summary["n_accepted"] == sum(len(v) for v in votes.values())
    got = {
        w: (h, n, t)
        for w, h, n, t in con.execute(
            "SELECT word, h, n_pairs, theta FROM human_visualness"
        ).fetchall()
    }
    want = {w: (float(np.mean(np.array(v) > theta)), len(v), theta) for w, v in votes.items()}
    assert got.keys() == want.keys()
    for word, (h, n, t) in want.items():
        assert got[word][0] == pytest.approx(h) and got[word][1:] == (n, t)


def test_bad_vote_rows_are_rejected_with_reasons(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "votes.csv",
        [
            "word,pair_id,positive_votes,n_annotators",
            " Red ,a,4,5",
            "red,b,5,5",
            "red,b,1,5",
            ",c,1,5",
            "red,,1,5",
            "red,d,many,5",
            "red,e,6,5",
            "red,f,-1,5",
            "red,g,1,0",
        ],
    )
    summary = import_human(con, path, source="crowd-1")
    assert (summary["n_rows"], summary["n_accepted"], summary["n_rejected"]) == (9, 2, 7)
    rejects = con.execute(
        "SELECT source, source_row, reason FROM human_rejects ORDER BY source_row"
    ).fetchall()
    assert [r[1] for r in rejects] == [3, 4, 5, 6, 7, 8, 9]
    assert [r[2] for r in rejects] == [
        "duplicate (word, pair_id) in the file",
        "missing word",
        "missing pair_id",
        "positive_votes is not an integer: many",
        "positive_votes exceeds n_annotators",
        "positive_votes is negative",
        "n_annotators must be positive",
    ]
    assert {r[0] for r in rejects} == {"crowd-1"}
    # " Red " is trimmed and lower-cased like the vocabulary; 2 of 2 pairs have > 3 votes.
    assert con.execute("SELECT word, h, n_pairs FROM human_visualness").fetchall() == [
        ("red", 1.0, 2)
    ]


def test_reimport_replaces_votes_and_scores_import_directly(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = _write(
        tmp_path / "a.csv", ["word,pair_id,positive_votes,n_annotators", "red,a,1,5", "red,b,5,5"]
    )
    second = _write(tmp_path / "b.csv", ["word,pair_id,positive_votes,n_annotators", "red,a,5,5"])
    import_human(con, first)
    import_human(con, second)
    assert con.execute("SELECT count(*) FROM human_judgments").fetchall()[0][0] == 2
    assert con.execute("SELECT h FROM human_visualness").fetchall() == [(1.0,)]
    scores = _write(
        tmp_path / "s.csv", ["word,score", "blue,0.8", "free,0.1", "odd,abc", "blue,0.2"]
    )
    summary = import_human(con, scores)
    assert (summary["kind"], summary["n_accepted"], summary["n_rejected"]) == ("scores", 2, 2)
    got = dict(con.execute("SELECT word, h FROM human_visualness").fetchall())
    assert got == {"red": 1.0, "blue": 0.8, "free": 0.1}


def test_unknown_header_and_missing_file_are_input_errors(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="neither"):
        import_human(con, _write(tmp_path / "x.csv", ["term,value", "red,1"]))
    with pytest.raises(InputError, match="no such file"):
        import_human(con, tmp_path / "missing.csv")
    with pytest.raises(InputError, match="theta"):
        import_human(con, _write(tmp_path / "y.csv", ["word,score", "red,1"]), theta=-1)


def test_agreement_equals_scipy_pearson_and_spearman(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path, votes = _votes(tmp_path, seed=4, n_words=15)
    import_human(con, path, theta=3)
    h = {w: float(np.mean(np.array(v) > 3)) for w, v in votes.items()}
    rng = np.random.default_rng(1)
    words = sorted(h)
    scores = {
        "random": {w: float(rng.random()) for w in words},
        # Coarse values: ties in both columns exercise Spearman's average ranks.
        "resample": {w: round(h[w] + 0.2 * float(rng.random()), 1) for w in words[:-2]},
        "language_prior": {w: 0.5 for w in words},  # constant: correlation undefined
    }
    _insert_visualness(con, scores)
    con.execute(
        "INSERT INTO visualness (model_id, scope, word, method, accuracy) "
        "VALUES ('m', 'default', 'not_judged', 'random', 0.9), "
        "('m', 'default', 'w00', 'initial', NULL)"
    )
    result = run_agreement(con, model_id="m")
    for method in ("random", "resample"):
        shared = sorted(scores[method])
        x = [scores[method][w] for w in shared]
        y = [h[w] for w in shared]
        assert result[method]["n_words"] == len(shared)
        assert result[method]["pearson"] == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-12)
        assert result[method]["spearman"] == pytest.approx(
            stats.spearmanr(x, y).statistic, abs=1e-12
        )
    assert result["language_prior"] == {"pearson": None, "spearman": None, "n_words": 15}
    assert "initial" not in result  # NULL accuracies are not scores
    rows = con.execute("SELECT count(*) FROM agreement WHERE model_id = 'm'").fetchall()[0][0]
    run_agreement(con, model_id="m")
    assert con.execute("SELECT count(*) FROM agreement").fetchall()[0][0] == rows == 3


def test_agreement_needs_human_judgments(con: duckdb.DuckDBPyConnection) -> None:
    _insert_visualness(con, {"random": {"red": 0.7}})
    with pytest.raises(StateError, match="human import"):
        run_agreement(con, model_id="m")


def test_cli_import_and_agreement(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, votes = _votes(tmp_path, n_words=6)
    runner = CliRunner()
    imported = runner.invoke(
        app, ["--db", str(db_path), "human", "import", str(path), "--theta", "2"]
    )
    assert imported.exit_code == 0, imported.output
    assert "H(u) for 6 words" in imported.output
    con = duckdb.connect(str(db_path))
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES ('m', 'toy', 'none', 'none', 8, 1)"
    )
    _insert_visualness(con, {"resample": {w: float(len(v)) for w, v in votes.items()}})
    con.close()
    table = runner.invoke(app, ["--db", str(db_path), "agreement"])
    assert table.exit_code == 0, table.output
    assert table.output.startswith("resample\tpearson=") and "n_words=6" in table.output
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db_path), "human", "import", str(_write(tmp_path / "bad.csv", ["a,b"]))])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "neither" in err and "\n" not in err
