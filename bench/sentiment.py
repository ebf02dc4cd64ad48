"""Sentiment and language on the labelled posts in tests/data/social_posts.csv.

Prints, per language: polarity accuracy (negative vs positive, on the posts labelled with
either), three-way accuracy (negative / neutral / positive), language detection accuracy,
and the time per post.

    .venv/bin/python bench/sentiment.py
"""

import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inbox.analysis import analyse  # noqa: E402

POSTS = ROOT / "tests" / "data" / "social_posts.csv"


def load():
    with POSTS.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def measure(posts):
    """Per language: {polar: [right, total], three_way: [...], language: [...]}."""
    scores = defaultdict(lambda: {"polar": [0, 0], "three_way": [0, 0], "language": [0, 0]})
    for post in posts:
        language, feeling = analyse(post["text"])
        tally = scores[post["language"]]
        tally["language"][0] += language == post["language"]
        tally["language"][1] += 1
        tally["three_way"][0] += feeling.label == post["polarity"]
        tally["three_way"][1] += 1
        if post["polarity"] != "neutral":
            predicted = "negative" if feeling.score < 0 else "positive"
            tally["polar"][0] += predicted == post["polarity"]
            tally["polar"][1] += 1
    return scores


def main():
    posts = load()
    analyse("warm up the models")
    started = time.perf_counter()
    scores = measure(posts)
    per_post_ms = (time.perf_counter() - started) / len(posts) * 1000
    print(f"bench/sentiment.py: {len(posts)} labelled posts, {per_post_ms:.2f} ms per post")
    print(f"  {'language':<9}{'polarity':>10}{'3-way':>8}{'detected':>10}")
    for language, tally in sorted(scores.items()):
        cells = [f"{right / total:>9.1%}" for right, total in (tally["polar"], tally["three_way"], tally["language"])]
        print(f"  {language:<9}{cells[0]:>10}{cells[1]:>8}{cells[2]:>10}")
    print("  target: polarity ≥ 80 % per language")


if __name__ == "__main__":
    main()
