"""Issue 13's targets, on 2,000 stories with every plugin, 5,000 archived mentions and the
sample blogroll:

  full     `relais build` (clean: no cache, no output)    <= 1.15x bare `pelican`
  publish  the publish build (every feed)                 <= 1.15x bare `pelican` with the same feeds
  rebuild  `relais build` after editing one story         <= 0.30x the full build
  serve    `relais serve`: save -> page reloaded          <= 0.30x the full build

    python bench/build_speed.py [--stories 2000] [--mentions 5000] [--rounds 5]
                                [--only full,publish,rebuild,serve] [--also-jobs N]

Every figure is a median of --rounds whole-process runs (bench/timing.py),
the two builds of a comparison taking turns (the rebuilds and the server's
saves take turns with clean full builds of their own: each ratio's two sides
see the same machine); the load average is printed
before and after. Bare Pelican uses its own theme and no plugin; its copy of
the content names the maker status `Maker-Status` (bench/generate_site.py).
For the publish build it writes Pelican's own feeds for the same sections as
ours (everything, each category, tag and author, each language; Atom and RSS,
full content, FEED_MAX_ITEMS entries each: Pelican's default, 100, in both);
its settings name the site's author (our settings' AUTHOR) so that it has the
author feed too, without author pages (which its full build has not either):
the publish comparison is the full one plus the feeds. Pelican has no
stories-only feed and no JSON Feed, which ours also writes. `--also-jobs N`
times `relais build --jobs N` too (N=1: the build in one process), in the same
turns as the full and publish builds.

Before any timing, the checkout's own modules (relais/, plugins/, theme/) are
compiled to bytecode once (`compile_checkout`), as pip does for an installed
wheel and as Pelican's are in site-packages: run from an editable install on
a machine that sets PYTHONDONTWRITEBYTECODE, every build process would
otherwise compile Relais's modules again (about 0.1 s each).
"""

from __future__ import annotations

import argparse
import compileall
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_site import REPO, bare_copy, generate, relais_settings  # noqa: E402
from mentions_build import DOMAIN, make_archive, post_urls  # noqa: E402
from timing import compare, load_average, machine, print_ratio, print_samples, timed  # noqa: E402

BARE = """\
PATH = {content!r}
OUTPUT_PATH = {output!r}
SITENAME = "Bench"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
ARTICLE_PATHS = ["posts"]
{extra}
"""
SITE = f"https://{DOMAIN}"
PUBLISH = f'SITEURL = "{SITE}"\nRELATIVE_URLS = False\n'
BARE_FEEDS = PUBLISH + """\
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/category/{slug}.rss.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tag/{slug}.rss.xml"
AUTHOR_FEED_ATOM = "feeds/author/{slug}.atom.xml"
AUTHOR_FEED_RSS = "feeds/author/{slug}.rss.xml"
TRANSLATION_FEED_ATOM = "feeds/lang/{lang}.atom.xml"
TRANSLATION_FEED_RSS = "feeds/lang/{lang}.rss.xml"
RSS_FEED_SUMMARY_ONLY = False
AUTHOR = "Maëlle Garnier"
AUTHOR_SAVE_AS = ""
"""
TARGETS = {"full": 1.15, "publish": 1.15, "rebuild": 0.30, "serve": 0.30}


class Bench:
    """The generated site, its settings for both builds, and what each benchmark needs."""

    def __init__(self, work: Path, stories: int, mentions: int):
        self.work = work
        self.content = generate(work, stories)
        shutil.copy(REPO / "content" / "blogroll.yaml", self.content / "blogroll.yaml")
        shutil.copytree(REPO / "data" / "blogroll", work / "data" / "blogroll")
        archive = make_archive(work / "data" / "webmentions", post_urls(self.content), mentions)
        mentions_settings = f"WEBMENTIONS_ARCHIVE = {str(archive)!r}\n" \
                            f"WEBMENTIONS_DOMAINS = [{DOMAIN!r}]\n"
        bare_content = bare_copy(self.content)
        (work / "serve").mkdir()
        self.settings = {
            "bare": self.bare(bare_content, "bare", ""),
            "relais": relais_settings(work, self.content, "site", mentions_settings),
            "bare feeds": self.bare(bare_content, "bare-feeds", BARE_FEEDS),
            "relais publish": relais_settings(work, self.content, "site-publish",
                                              mentions_settings + PUBLISH),
            # the rebuilds' and the server's own output and caches: the full builds they take
            # turns with start from nothing. The server's settings in a folder of their own:
            # it watches its settings' folder, where the full builds must not write
            "relais rebuild": relais_settings(work, self.content, "site-rebuild",
                                              mentions_settings),
            "relais serve": relais_settings(work / "serve", self.content, "site-serve",
                                            mentions_settings),
        }
        self.stories = stories

    def bare(self, content: Path, name: str, extra: str) -> Path:
        path = self.work / f"{name}.py"
        path.write_text(BARE.format(content=str(content), output=str(self.work / f"out-{name}"),
                                    extra=extra))
        return path

    def command(self, name: str, *extra: str) -> list[str]:
        if name.startswith("bare"):
            return [str(Path(sys.executable).parent / "pelican"), "-s", str(self.settings[name]),
                    "-q"]
        return [sys.executable, "-m", "relais.cli", "build", "-s", str(self.settings[name]),
                *extra]

    def clean(self, name: str) -> None:
        """No output and no cache: the next build is a full one."""
        stem = self.settings[name].stem
        for folder in self.work.glob(f"out-{stem}"):
            shutil.rmtree(folder)
        for folder in self.work.glob(f".out-{stem}.*"):
            shutil.rmtree(folder)
        shutil.rmtree(self.work / f"cache-{stem}", ignore_errors=True)

    def story(self, number: int) -> Path:
        return self.content / "posts" / f"recit-{number:05d}.md"

    def edit(self, number: int, text: str) -> None:
        """One story's text changed (its title, date and summary stay), as a writer saves."""
        path = self.story(number)
        path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")

    def pages(self, output: Path) -> int:
        return sum(1 for path in output.rglob("*.html") if "recit-" in path.as_posix())


def same_feeds(bare: Path, ours: Path) -> None:
    """Both publish builds wrote the same Atom and RSS feeds with as many entries each; ours
    may only add what Pelican cannot write (stories only, JSON Feed, available pieces)."""
    def entries(output: Path) -> dict[str, int]:
        return {p.relative_to(output).as_posix(): len(re.findall(rb"<entry>|<item>",
                                                                 p.read_bytes()))
                for p in (output / "feeds").rglob("*.xml")}

    theirs, mine = entries(bare), entries(ours)
    extra = [name for name in mine.keys() - theirs.keys()
             if not name.startswith(("feeds/stories.", "feeds/pieces/"))]
    differ = [name for name in theirs.keys() & mine.keys() if theirs[name] != mine[name]]
    if theirs.keys() - mine.keys() or extra or differ:
        sys.exit(f"not comparable: feeds only bare Pelican wrote {sorted(theirs.keys() - mine.keys())}, "
                 f"only ours {sorted(extra)}, with other numbers of entries {sorted(differ)}")
    print(f"publish: the same {len(theirs)} Atom and RSS feeds in both "
          f"({sum(theirs.values())} entries); ours also {len(mine) - len(theirs)} stories-only "
          f"or pieces feeds and the JSON Feeds")


def full_and_publish(bench: Bench, rounds: int, which: list[str],
                     also_jobs: int | None = None) -> None:
    for kind, (subject, baseline) in (("full", ("relais", "bare")),
                                      ("publish", ("relais publish", "bare feeds"))):
        if kind not in which:
            continue
        commands = {baseline: bench.command(baseline), subject: bench.command(subject)}
        variant = f"{subject} --jobs {also_jobs}"
        if also_jobs is not None:
            commands[variant] = bench.command(subject, "--jobs", str(also_jobs))
        samples = compare(commands, REPO, rounds,
                          before=lambda name: bench.clean(name.partition(" --jobs")[0]))
        written = [bench.pages(bench.work / f"out-{bench.settings[n].stem}")
                   for n in (baseline, subject)]
        if min(written) < bench.stories:
            sys.exit(f"not comparable: story pages written {baseline} {written[0]}, "
                     f"{subject} {written[1]}")
        if kind == "publish":
            same_feeds(*(bench.work / f"out-{bench.settings[n].stem}" for n in (baseline, subject)))
        print(f"{kind}: {subject} against {baseline} (clean builds)")
        print_samples(samples)
        print_ratio(f"{kind} {subject}/{baseline}", samples[subject].median,
                    samples[baseline].median, TARGETS[kind])
        if also_jobs is not None:
            print_ratio(f"{kind} {variant}/{baseline}", samples[variant].median,
                        samples[baseline].median, TARGETS[kind])
            print(f"  {subject} / {variant}: wall "
                  f"{samples[subject].median[0] / samples[variant].median[0]:.3f}, cpu "
                  f"{samples[subject].median[1] / samples[variant].median[1]:.3f}")


def rebuild(bench: Bench, rounds: int) -> None:
    """The rebuild after one edit (a story's text), taking turns with the clean full build it
    is compared with: both see the same machine."""
    bench.clean("relais rebuild")
    timed(bench.command("relais rebuild"), REPO)  # the last build the rebuilds start from
    edits = iter(range(rounds))

    def before(name: str) -> None:
        if name == "relais":
            bench.clean("relais")
        else:
            run = next(edits)
            bench.edit((7 + run * 13) % bench.stories, f"Une phrase de plus, la numéro {run}.")

    samples = compare({"relais": bench.command("relais"),
                       "relais rebuild": bench.command("relais rebuild")}, REPO, rounds,
                      before=before)
    print("rebuild after one edit, taking turns with the full build (clean)")
    print_samples(samples)
    print_ratio("rebuild/full", samples["relais rebuild"].median, samples["relais"].median,
                TARGETS["rebuild"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read().decode("utf-8")


def serve(bench: Bench, rounds: int) -> None:
    """From the moment a story is saved to the moment its page, reloaded, shows the change:
    what the writer waits for (the browser's reload script does the same requests). Each
    save takes turns with a clean full build (the server waits meanwhile: it has its own
    output and caches)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "serve", "-s", str(bench.settings["relais serve"]),
         "--port", str(port)], cwd=bench.work, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                fetch(f"{base}/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("relais serve did not start")
                time.sleep(0.5)
        durations, full = [], []
        for run in range(rounds):
            bench.clean("relais")
            full.append(timed(bench.command("relais"), REPO)[0])
            number = (11 + run * 17) % bench.stories
            slug = re.search(r"^Slug: (.+)$", bench.story(number).read_text(encoding="utf-8"),
                             re.M).group(1)
            year = re.search(r"^Date: (\d{4})", bench.story(number).read_text(encoding="utf-8"),
                             re.M).group(1)
            page = f"{base}/{year}/{slug}/"
            version = re.search(r"events\?version=([0-9a-f]+)", fetch(page)).group(1)
            marker = f"Sauvegarde numéro {run}."
            with urllib.request.urlopen(f"{base}/__relais__/events?version={version}",
                                        timeout=600) as stream:
                saved = time.perf_counter()
                bench.edit(number, marker)
                for line in stream:
                    if line.startswith(b"data:"):
                        break
            if marker not in fetch(page):
                sys.exit(f"the reloaded page {page} does not show the edit")
            durations.append(time.perf_counter() - saved)
        median, baseline = statistics.median(durations), statistics.median(full)
        print("serve, save to reloaded page, taking turns with the full build (clean)")
        print(f"  full build (clean)     median wall {baseline:7.2f} s   "
              f"({rounds} runs: {', '.join(f'{d:.2f}' for d in full)})")
        print(f"  save to reloaded page  median wall {median:7.2f} s   "
              f"({rounds} runs: {', '.join(f'{d:.2f}' for d in durations)})")
        print_ratio("serve/full", (median, median), (baseline, baseline), TARGETS["serve"])
    finally:
        server.terminate()
        server.wait(timeout=60)


def compile_checkout() -> list[str]:
    """Relais's modules compiled to bytecode (in their __pycache__ folders, where an import
    reads them even when PYTHONDONTWRITEBYTECODE keeps it from writing them); the folders."""
    folders = [REPO / name for name in ("relais", "plugins", "theme")]
    for folder in folders:
        if not compileall.compile_dir(str(folder), quiet=1):
            sys.exit(f"{folder}: a module does not compile")
    return [folder.name for folder in folders]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--mentions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="full,publish,rebuild,serve")
    parser.add_argument("--also-jobs", type=int, default=None, metavar="N",
                        help="also time the full and publish builds with relais build --jobs N")
    args = parser.parse_args()
    which = [name.strip() for name in args.only.split(",") if name.strip()]
    print(f"stories: {args.stories}, archived mentions: {args.mentions}, sample blogroll; "
          f"medians of {args.rounds} runs")
    print(f"machine: {machine()}")
    compiled = compile_checkout()
    print(f"bytecode: {', '.join(compiled)} compiled once before timing (as pip does for an "
          f"installed wheel)")
    print(f"before: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp), args.stories, args.mentions)
        full_and_publish(bench, args.rounds, which, args.also_jobs)
        if "rebuild" in which:
            rebuild(bench, args.rounds)
        if "serve" in which:
            serve(bench, args.rounds)
    print(f"after: {load_average()}")


if __name__ == "__main__":
    main()
