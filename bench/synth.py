#!/usr/bin/env python3
"""Generates a synthetic zhiku site for build benchmarks.

usage: synth.py ENTRIES OUT_DIR [--repo REPO] [--seed N]

The site gets ENTRIES FAQ entries in chapters of about 50, one rejection per
20 entries, the real 31 province files, a decision tree and the real synonyms.
Text is realistic Chinese: paragraphs, list items and table cells are sentences
taken from the real content/ (links stripped) and shuffled; every entry links
to other entries, rejections, provinces and heading anchors with @ ids, so the
build resolves as many links as a real site would. OUT_DIR/themes points at the
repository's theme (a symlink), so `zhiku --root OUT_DIR build` works.
"""
import argparse
import os
import random
import re
import shutil
from pathlib import Path

FRONT = re.compile(r"\A\+\+\+\n.*?\n\+\+\+\n", re.S)
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
SENTENCE = re.compile(r"[^。！？\n]{8,120}[。！？]")


def real_sentences(content: Path):
    """Sentences of the real content's Markdown bodies, links reduced to their text."""
    out = []
    for md in sorted(content.rglob("*.md")):
        if md.name == "README.md":
            continue
        body = FRONT.sub("", md.read_text(encoding="utf-8"))
        for line in body.splitlines():
            line = line.strip()
            if not line or line.startswith(("|", "#", "```", ">")):
                continue
            line = LINK.sub(r"\1", line.lstrip("-*0123456789. "))
            out.extend(s.strip() for s in SENTENCE.findall(line))
    titles = []
    for md in sorted((content / "faq").rglob("*.md")):
        m = re.search(r'^title = "(.*)"$', md.read_text(encoding="utf-8"), re.M)
        if m and md.name != "_index.md":
            titles.append(m.group(1))
    return sorted(set(out)), titles


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("entries", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    repo = args.repo.resolve()
    content_src = repo / "content"
    sentences, titles = real_sentences(content_src)
    assert len(sentences) > 200, "too few sentences in the real content"

    out = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    (content / "faq").mkdir(parents=True)
    (content / "rejections").mkdir()
    (content / "decision").mkdir()
    (content / "search").mkdir()
    shutil.copytree(content_src / "provinces", content / "provinces")
    # Without the provider: its sentences, shuffled into every entry, would
    # each need a `scope`, and thousands of warnings would be timed instead of the build.
    site_toml = (content_src / "site.toml").read_text(encoding="utf-8")
    site_toml = re.sub(r"(?m)^provider = .*\n", "", site_toml)
    (content / "site.toml").write_text(site_toml, encoding="utf-8")
    (out / "themes").symlink_to(repo / "themes", target_is_directory=True)
    provinces = sorted(p.stem for p in (content / "provinces").glob("*.toml"))
    first_entry = "@faq/ch0000/e00000"
    for p in (content / "provinces").glob("*.toml"):
        # Province rules point at real entries; point them at a synthetic one.
        text = re.sub(r'"@(faq|rejection|decision)/[^"]*"', f'"{first_entry}"', p.read_text(encoding="utf-8"))
        p.write_text(text, encoding="utf-8")
    # The glossary's `see` links point at real entries too.
    synonyms = (content_src / "search" / "synonyms.toml").read_text(encoding="utf-8")
    synonyms = re.sub(r'"@(faq|rejection|decision)/[^"]*"', f'"{first_entry}"', synonyms)
    (content / "search" / "synonyms.toml").write_text(synonyms, encoding="utf-8")

    def para(n):
        return "".join(rng.choice(sentences) for _ in range(n))

    per_chapter = 50
    n_chapters = max(1, (args.entries + per_chapter - 1) // per_chapter)
    n_rejections = max(2, args.entries // 20)
    ids = [f"faq/ch{c:04d}/e{i:05d}" for i in range(args.entries) for c in [i // per_chapter]]
    rejections = [f"rejection/r{i:05d}" for i in range(n_rejections)]
    # Every entry has the same two headings, so anchors are known in advance.
    anchors = ["详细说明", "注意事项"]

    def ref():
        r = rng.random()
        if r < 0.6:
            target = "@" + rng.choice(ids)
            return target + ("#" + rng.choice(anchors) if rng.random() < 0.2 else "")
        if r < 0.8:
            return "@" + rng.choice(rejections)
        return "@province/" + rng.choice(provinces)

    for c in range(n_chapters):
        d = content / "faq" / f"ch{c:04d}"
        d.mkdir()
        (d / "_index.md").write_text(
            f'+++\ntitle = {toml_str("第" + str(c + 1) + "章 " + rng.choice(titles)[:20])}\n'
            f"order = {c + 1}\nsection = {toml_str(str(c + 1))}\n"
            f"summary = {toml_str(para(1))}\n+++\n\n{para(2)}\n",
            encoding="utf-8",
        )

    for i, eid in enumerate(ids):
        _, chapter, slug = eid.split("/")
        title = f"{rng.choice(titles).rstrip('？?')}（{i}）？"
        related = sorted({"@" + rng.choice(ids) for _ in range(3)} - {"@" + eid})
        body = [para(2), ""]
        body += [f"## {anchors[0]}", "", para(3), ""]
        body += [f"- {rng.choice(sentences)}见[相关说明]({ref()})。" for _ in range(4)]
        body += ["", "| 环节 | 说明 |", "|---|---|"]
        body += [f"| 第{k}步 | {rng.choice(sentences)} |" for k in range(1, 4)]
        body += ["", f"## {anchors[1]}", "", para(2) + f"参见[这里]({ref()})和[那里]({ref()})。", ""]
        if i % 10 == 0:
            body += ["```toml", 'server = "mainland"', "domains = 3", "```", ""]
        front = [
            "+++",
            f"title = {toml_str(title)}",
            f'section = "{int(chapter[2:]) + 1}.{i % per_chapter + 1}"',
            f"order = {i % per_chapter + 1}",
            "aliases = [" + ", ".join(toml_str(rng.choice(titles)[:16] + str(i) + a) for a in "甲乙") + "]",
            'tags = ["备案", "合成"]',
            "related = [" + ", ".join(toml_str(r) for r in related) + "]",
            "provinces = [" + toml_str(rng.choice(provinces)) + "]",
            "updated = 2024-01-17",
            "+++",
            "",
        ]
        (content / "faq" / chapter / f"{slug}.md").write_text("\n".join(front + body), encoding="utf-8")

    stages = ["initial-review", "bureau-return", "verification-notice"]
    for i, rid in enumerate(rejections):
        fixes = sorted({toml_str("@" + rng.choice(ids)) for _ in range(2)})
        text = [
            "+++",
            f"title = {toml_str('驳回：' + rng.choice(titles)[:24])}",
            f'stage = "{stages[i % 3]}"',
            f'section = "{16 + i % 3}.{i + 1}"',
            f"order = {i + 1}",
            f"reason = {toml_str(rng.choice(sentences))}",
            "fixes = [" + ", ".join(fixes) + "]",
            f'aliases = ["驳回{i}"]',
            "+++",
            "",
            para(2) + f"整改方法见[说明]({ref()})。",
            "",
        ]
        (content / "rejections" / f"r{i:05d}.md").write_text("\n".join(text), encoding="utf-8")

    tree = [
        'title = "我需要备案吗？（合成）"',
        'start = "q0"',
    ]
    depth = 8
    for k in range(depth):
        tree += [
            "",
            "[[node]]",
            f'id = "q{k}"',
            f"question = {toml_str(rng.choice(titles))}",
            f"help = {toml_str(para(1))}",
            "[[node.option]]",
            'label = "是"',
            f'next = "q{k + 1}"' if k + 1 < depth else 'outcome = "yes"',
            "[[node.option]]",
            'label = "否"',
            f'outcome = "{"no" if k % 2 else "depends"}"',
        ]
    for oid, kind in [("yes", "yes"), ("no", "no"), ("depends", "depends")]:
        tree += [
            "",
            "[[outcome]]",
            f'id = "{oid}"',
            f"verdict = {toml_str(rng.choice(titles)[:12])}",
            f'kind = "{kind}"',
            f"explanation = {toml_str(para(2))}",
            f"see = [{toml_str('@' + rng.choice(ids))}]",
        ]
    (content / "decision" / "synthetic.toml").write_text("\n".join(tree) + "\n", encoding="utf-8")
    print(f"{out}: {args.entries} entries, {n_chapters} chapters, {n_rejections} rejections, {len(provinces)} provinces")


if __name__ == "__main__":
    main()
