"""Grid search of TwoLayerClassifier on the handwritten digits shipped with sklearn.

Run with ``make demo``. It tunes the learning rate ``alpha`` and ``hidden_size`` of a
``StandardScaler -> TwoLayerClassifier`` pipeline by 3-fold cross-validation, reports
the held-out accuracy of the best model, and pickles it.
"""

import pickle
import time
from pathlib import Path

from sklearn.datasets import load_digits
from sklearn.metrics import classification_report
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier


def main(output_dir=Path("demo_output")):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    print(
        f"digits: {len(X_train)} training and {len(X_test)} held-out images of "
        f"8x8 pixels, 10 classes\n"
    )

    pipeline = make_pipeline(
        StandardScaler(),
        TwoLayerClassifier(max_iter=100, early_stopping=True, random_state=0),
    )
    grid = {
        "twolayerclassifier__alpha": [0.01, 0.1, 0.5],
        "twolayerclassifier__hidden_size": [32, 128],
    }
    search = GridSearchCV(pipeline, grid, cv=3, n_jobs=2)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start

    results = search.cv_results_
    print(
        f"Grid search: {len(results['params'])} settings x 3 folds in {seconds:.1f} s"
    )
    print(f"{'alpha':>7} {'hidden_size':>12} {'CV accuracy':>18}")
    for params, mean, std in zip(
        results["params"],
        results["mean_test_score"],
        results["std_test_score"],
        strict=True,
    ):
        print(
            f"{params['twolayerclassifier__alpha']:>7} "
            f"{params['twolayerclassifier__hidden_size']:>12} "
            f"{mean:>12.4f} ± {std:.4f}"
        )

    best = search.best_estimator_
    print(
        f"\nBest parameters: alpha={search.best_params_['twolayerclassifier__alpha']},"
        f" hidden_size={search.best_params_['twolayerclassifier__hidden_size']}"
    )
    print(
        f"Held-out accuracy: {best.score(X_test, y_test):.4f} "
        f"(epochs run: {best[-1].n_iter_})\n"
    )
    print(classification_report(y_test, best.predict(X_test), digits=3))

    output_dir.mkdir(exist_ok=True)
    path = output_dir / "digits_twolayer.pkl"
    with open(path, "wb") as f:
        pickle.dump(best, f)
    print(f"Best model pickled to {path.resolve()}")


if __name__ == "__main__":
    main()
