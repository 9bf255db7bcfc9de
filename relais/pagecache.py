"""Incremental builds: a page is made again only when something it read has changed.

While a page is rendered, the template hooks note what it reads: each name
it looks up (with a digest of the value) and each post it touches (by source
path). The next build, before rendering the same output file, compares those
with this build's values: when they are all the same, the file the last
build wrote is used again (Pelican writes it to the new output as usual);
otherwise the page is rendered. What a template cannot see through these
hooks is covered by the build's fingerprint (settings, theme, Relais's and
Pelican's code): when it changes, every page is made again.

A post has two digests, one per facet: its text (`_content`, the Markdown made
HTML, and the URLs of the posts and files its links point to: what `content`
and a summary cut from the text are made of) and its fields (everything else
Pelican and the plugins put on it: metadata, a `Summary:` field, series
neighbours, received mentions, a reading time worked out from the text...).
A page that reads only fields of a post (a list showing its title, date and
summary) depends on the second only: editing a story's body does not make the
lists it appears in again. Which attribute reads the text is decided once per
kind of post and name (`facet_of`): the ones known not to, and plain values,
are fields; `content`, methods and any property not checked read the text.
A value whose kind is `relais_digested` (a post's received mentions) counts
by the digest it was made with (`relais_digest`), not pickled again.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import operator
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.utils import missing
from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pelican import signals
from pelican.contents import Content, Static
from pelican.paginator import Page, Paginator
from pelican.readers import MarkdownReader
from pelican.urlwrappers import URLWrapper
from pelican.utils import pelican_open
from pelican.writers import FileOverwriteFailedError, Writer

from relais import memo, tracking
from relais.digest import Digester
from relais.pagetexts import PageTexts
from relais.plugins.checks.links import candidates, link_pattern, links_in
from relais.store import write_atomic

RECORDS = "relais-pages.pickle"
FORMAT = 6
SKIPPED = frozenset({"_context", "settings"})  # the whole build's: in the fingerprint
JINJA_OWN = frozenset({*jinja2.defaults.DEFAULT_FILTERS, *jinja2.defaults.DEFAULT_TESTS,
                       *jinja2.defaults.DEFAULT_NAMESPACE})


@dataclass(frozen=True)
class Record:
    """What one output file was made from, and the digest of the text rendered for it (kept
    with the records: the file in the output may have been changed after it was written, by
    the plugins that post-process pages, such as the images' srcset)."""

    names: tuple[tuple[str, bytes], ...]  # the page's own values it read, with their digests
    site: tuple[str, ...]  # the site-wide values it read (settings, the context's lists...)
    site_digest: bytes  # ...their digest, together (the same for many pages: made once)
    fields: tuple[tuple[str, bytes], ...]  # the posts it read: their fields' digests
    bodies: tuple[tuple[str, bytes], ...]  # the posts whose text it read too: the text's digests
    text: bytes


_first = operator.itemgetter(0)

# What a page reads of a post when it looks up one of its attributes (`facet_of`)
FIELDS, WHOLE, SUMMARY = 1, 2, 3  # SUMMARY: fields if the post has a Summary field, else WHOLE
# the text, a Summary field kept apart, a plugin's own way to give `content` (Pelican asks it)
TEXT_ATTRIBUTES = frozenset({"_content", "_summary", "_get_content"})
# Pelican's properties checked (pelican/contents.py) not to read the text: the address from
# the URL settings and the metadata; the status; the source folder
_FIELD_PROPERTIES = tuple(vars(kind)[name] for kind, name in (
    (Content, "url"), (Content, "save_as"), (Content, "url_format"), (Content, "status"),
    (Content, "relative_dir"), (Static, "url"), (Static, "save_as")))


def facet_of(kind: type, name: str) -> int:
    """What `post.name` reads of a post of `kind`: FIELDS, WHOLE or SUMMARY.

    A plain value (an instance attribute, or a class's constant) is a field; so are the
    properties checked in Pelican's source. `summary` is the `Summary:` field when the post
    has one, else cut from the text. Anything else found on the class (`content`, methods,
    other properties and descriptors, a subclass's own `url`) may read the text."""
    if name in TEXT_ATTRIBUTES:
        return WHOLE
    for klass in kind.__mro__:
        if name in vars(klass):
            found = vars(klass)[name]
            break
    else:
        return FIELDS  # an instance attribute, or none at all (the fields say so)
    if found is vars(Content)["summary"]:
        return SUMMARY
    if any(found is known for known in _FIELD_PROPERTIES):
        return FIELDS
    if callable(found) or hasattr(type(found), "__get__"):
        return WHOLE
    return FIELDS


def reference(value: Any) -> str | None:
    """Values a digest names instead of describing: posts, taxonomy entries, the missing value."""
    if isinstance(value, Content):
        return f"{type(value).__name__}:{value.relative_source_path}"
    if isinstance(value, URLWrapper):
        return f"{type(value).__name__}:{value.name}"
    if value is missing:
        return "missing"
    return None


# What Pelican's paginated pages and their paginator hold (a plugin adding to them: the
# general way, every attribute)
PAGE_FIELDS = frozenset({"full_name", "name", "extension", "base_name", "base_url",
                         "object_list", "number", "paginator", "settings"})
PAGINATOR_FIELDS = frozenset({"name", "url", "object_list", "settings", "per_page", "orphans",
                              "_num_pages", "_count"})


def describe_page(page: Page, part: Callable[[Any], str]) -> str | None:
    """One page of a paginated list (`articles_page`, its next and previous) by what a template
    can read of it: its number, its file and address (`name`, `extension` and `base_name` are
    its file's; `url` and `save_as` come from them and the settings), its posts in order, its
    paginator.

    Its posts are, as Pelican makes a page, the paginator's posts for its number: then the
    paginator's description and the number say them (described once per list, not for each
    of the three pages that every paginated page reads: itself, the next and the previous);
    other posts are described one by one."""
    if vars(page).keys() != PAGE_FIELDS:
        return None
    paginator, posts = page.paginator, page.object_list
    everything = paginator.object_list
    bottom = (page.number - 1) * paginator.per_page
    top = bottom + paginator.per_page
    if top + paginator.orphans >= len(everything):
        top = len(everything)
    theirs = everything[bottom:top]
    same = type(posts) is list and len(posts) == len(theirs) and \
        all(map(operator.is_, posts, theirs))
    own = "theirs" if same else part(posts)
    return (f"pelican-page:{page.number!r}:{page.full_name!r}:{page.base_url!r}:{own}:"
            f"{part(paginator)}:{part(page.settings)}")


def describe_paginator(paginator: Paginator, part: Callable[[Any], str]) -> str | None:
    """A paginator (the same for every page of a list: described once) by its posts in order,
    its counts and its names."""
    if vars(paginator).keys() != PAGINATOR_FIELDS:
        return None
    return (f"pelican-paginator:{paginator.name!r}:{paginator.url!r}:{paginator.per_page!r}:"
            f"{paginator.orphans!r}:{paginator._count!r}:{paginator._num_pages!r}:"
            f"{part(paginator.object_list)}:{part(paginator.settings)}")


def subclasses(cls: type) -> set[type]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= subclasses(sub)
    return found


def reference_table(reference_of: Callable[[Any], str | None] = reference) -> dict:
    """For the pickler: every kind of post and taxonomy entry (known now) pickled by its
    reference (`reference_of` it)."""
    def by_reference(obj):
        return str, (reference_of(obj),)

    table = {kind: by_reference for kind in subclasses(Content) | subclasses(URLWrapper)}
    # by their offset and name: the default way asks copyreg for the type's slots each time
    # (a C type keeps no answer), 5,000 times for 5,000 received mentions' dates
    table[datetime.timezone] = _timezone
    return table


def _timezone(zone: datetime.timezone):
    return datetime.timezone, zone.__getinitargs__()


def pickled_digest(value, table: dict) -> bytes | None:
    """A quick digest of a post's state, the other posts and taxonomy entries in it by their
    reference (None when some part of it cannot be pickled). No memo: equal values give
    equal bytes, whether shared or not."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dispatch_table = table
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return None
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()


class PageCache:
    """The records of the last build, this build's, and the hooks that fill them."""

    def __init__(self, settings: dict, fingerprint: bytes, use: bool = True):
        self.settings = settings
        self.fingerprint = fingerprint
        self.path = Path(settings["CACHE_PATH"]) / RECORDS
        self.texts: dict[bytes, bytes] = {}  # the pages this build rendered, by digest
        self.stored = PageTexts(self.path.parent)  # ...and those the last builds kept
        self.old: dict[str, Record] = self._load() if use else {}
        self.new: dict[str, Record] = {}
        self.reused = self.rendered = 0
        # the contexts pages were written with, kept alive so that no other value takes the id
        # of one (a freed copy's id could be a page's list next: it would digest as "settings")
        self._contexts: dict[int, dict] = {}
        self._tables: list[dict] = []  # the tables of posts indexed (a copy shares the build's)
        self._posts: dict[str, Content] = {}
        self._field_digests: dict[str, bytes] = {}
        self._body_digests: dict[str, bytes] = {}
        self._digested: dict[type, bool] = {}  # kinds of values digested by their relais_digest
        self._given: dict = {}  # the values of the page being rendered
        self._shared: dict = {}  # the build's context, shared by every page
        self._site_digests: dict[tuple, tuple[tuple, bytes]] = {}  # the values, their digest
        # which types are posts (Pelican content): False, or the type's facets (`facet_of` of
        # each attribute read, never empty: its text is there from the start)
        self._kinds: dict[type, dict | bool] = {}
        self._touched: dict[int, Content] = {}  # the posts pages touched, by id
        self._by_id: dict[int, Content] = {}  # every post of the build, by id
        self._named: dict[int, tuple[Content, str]] = {}  # posts' references, by id
        self._site_keys: dict[tuple, tuple] = {}  # one tuple for each set of site-wide names
        self.latest: tuple[str, bytes] | None = None  # the last page rendered: name, text digest
        self.unread = False  # ...its text not read: the output has it (`on_disk`)
        # whether the output already has the page `name` with the text of a digest (then it
        # is not written: relais.output.Output.unchanged); None: no output to ask
        self.on_disk: Callable[[str, bytes], bool] | None = None

    # -- the records and the texts ---------------------------------------------------

    def _load(self) -> dict[str, Record]:
        try:
            with self.path.open("rb") as handle:
                saved = pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
            return {}
        if not isinstance(saved, dict) or saved.get("format") != FORMAT or \
                saved.get("fingerprint") != self.fingerprint:
            return {}
        self.stored.open(saved["store"], saved["texts"])
        return saved["pages"]

    def save(self) -> None:
        """Keep this build's records, atomically, after the texts they name (relais.pagetexts:
        only the texts not stored yet are written)."""
        name, where = self.stored.save(
            self.texts, {record.text for record in self.new.values()})
        write_atomic(self.path, pickle.dumps(
            {"format": FORMAT, "fingerprint": self.fingerprint, "pages": self.new,
             "texts": where, "store": name}, protocol=pickle.HIGHEST_PROTOCOL))
        self.stored.remove_others(name)

    # -- digests -----------------------------------------------------------

    @functools.cached_property
    def _table(self) -> dict:
        return reference_table(self.reference)

    @functools.cached_property
    def digest(self) -> Digester:
        return Digester(self.refs, SKIPPED,
                        {Page: describe_page, Paginator: describe_paginator})

    @functools.cached_property
    def _links(self):
        return link_pattern(self.settings["INTRASITE_LINK_REGEX"])

    def index(self, context: dict) -> None:
        """The context the next page is written with (the build's, or a copy of it with a few
        more names, as Pelican's period archives have), and every post, page and file of this
        build in it, by reference."""
        self._shared = context
        if id(context) in self._contexts:
            return
        self._contexts[id(context)] = context
        for key in ("generated_content", "static_content"):
            table = context.get(key) or {}
            if any(table is seen for seen in self._tables):
                continue
            self._tables.append(table)
            for item in table.values():
                if item is not None:
                    self._posts[self.reference(item)] = item
                    self._by_id[id(item)] = item

    def fields_digest(self, ref: str) -> bytes | None:
        """The digest of a post's fields: all it holds but its text (and the settings)."""
        return self._facet_digest(self._field_digests, ref, self._fields)

    def body_digest(self, ref: str) -> bytes | None:
        """The digest of a post's text and of the addresses its links lead to."""
        return self._facet_digest(self._body_digests, ref, self._body)

    def _facet_digest(self, digests: dict, ref: str, facet: Callable[[Content], tuple]):
        """The digest of the post `ref`'s `facet`, remembered in `digests` (None: no such post)."""
        found = digests.get(ref)
        if found is None:
            item = self._posts.get(ref)
            if item is None:
                return None
            value = facet(item)
            found = digests[ref] = pickled_digest(value, self._table) or self.digest(value)
        return found

    def _fields(self, item: Content) -> tuple:
        state, digested = {}, self._digested
        for key, value in vars(item).items():
            if key in SKIPPED or key == "_content":
                continue
            kind = type(value)
            by_digest = digested.get(kind)
            if by_digest is None:  # a kind that carries a digest of itself (made with it)
                by_digest = digested[kind] = getattr(kind, "relais_digested", False) is True
            if by_digest and value.relais_digest:
                value = ("digested", kind.__qualname__, value.relais_digest)
            state[key] = value
        summary = item.metadata.get("summary")
        return ("fields", state, self.link_targets(item, summary if isinstance(summary, str) else ""))

    def _body(self, item: Content) -> tuple:
        text = getattr(item, "_content", None)
        return ("text", text, self.link_targets(item, text if isinstance(text, str) else ""))

    def reference(self, value) -> str | None:
        """`reference(value)`, remembered for posts (Pelican works a post's source path out
        from the settings' PATH each time it is asked: a few path operations, for each of the
        thousands of times a post is named in lists and in other posts)."""
        found = self._named.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        ref = reference(value)
        if isinstance(value, Content):
            self._named[id(value)] = (value, ref)
        return ref

    def reference_of(self, post_id: int) -> str:
        """The reference of a post noted by id (by the hooks)."""
        found = self._named.get(post_id)
        if found is not None:
            return found[1]
        return self.reference(self._touched.get(post_id) or self._by_id[post_id])

    def refs(self, value) -> str | None:
        if value is self.settings or id(value) in self._contexts:
            return "settings"
        return self.reference(value)

    def link_targets(self, item: Content, text: str) -> tuple:
        """Where the `{filename}`/`{static}` links of `text` (the post's) lead: their URLs are
        in its page."""
        if not text:
            return ()
        context = item._context or {}
        targets = []
        for link in links_in(text, self._links):
            for path in candidates(link.path, item.relative_dir):
                target = (context.get("generated_content") or {}).get(path) or \
                    (context.get("static_content") or {}).get(path)
                if target is not None:
                    targets.append((link.written, target.url))
                    break
        return tuple(targets)

    # -- deciding ------------------------------------------------------------

    def given(self, key: str, env, values: dict):
        """What a page is given under `key`: its values, else a global."""
        return values[key] if key in values else env.globals.get(key, missing)

    def site_digest(self, keys: tuple[str, ...], current: tuple, env) -> bytes:
        """The digest of the site-wide values `current` that `keys` name, made once per build
        and set (while they are the same objects)."""
        found = self._site_digests.get((keys, id(env)))
        if found is None or not all(map(operator.is_, found[0], current)):
            found = self._site_digests[(keys, id(env))] = (current, self.digest(
                tuple((key, self.digest(value)) for key, value in zip(keys, current, strict=True))))
        return found[1]

    def split(self, names: dict, values: dict, env) -> tuple[tuple, tuple, tuple]:
        """The names a page read (with the values it read): the site-wide ones, their values,
        and the page's own ones with their digests (only these are digested one by one: the
        site-wide ones together, once per build). Inline lookups: a page reads a hundred names."""
        shared, common, digest = self._shared, env.globals, self.digest
        site, own = [], []
        for key, value in names.items():
            mine = values[key] if key in values else common.get(key, missing)
            if mine is (shared[key] if key in shared else common.get(key, missing)):
                site.append((key, mine))
            else:
                own.append((key, digest(value)))
        site.sort(key=_first)
        site_keys = tuple(key for key, _value in site)
        # the same few sets on every page: one tuple for each, pickled once in the records
        return (self._site_keys.setdefault(site_keys, site_keys),
                tuple(value for _key, value in site), tuple(sorted(own)))

    def fresh(self, record: Record, values: dict, env) -> bool:
        shared, common = self._shared, env.globals
        current = []
        for key in record.site:  # still the site-wide value for this page?
            mine = values[key] if key in values else common.get(key, missing)
            if mine is not (shared[key] if key in shared else common.get(key, missing)):
                return False
            current.append(mine)
        if self.site_digest(record.site, tuple(current), env) != record.site_digest:
            return False
        for key, digest in record.names:
            if self.digest(self.given(key, env, values)) != digest:
                return False
        return all(self.fields_digest(ref) == digest for ref, digest in record.fields) and \
            all(self.body_digest(ref) == digest for ref, digest in record.bodies)

    def reuse(self, record: Record) -> str | None:
        """The text rendered for the page in the last build."""
        data = self.texts.get(record.text) or self.stored.get(record.text)
        return None if data is None else data.decode("utf-8")

    def stored_text(self, digest: bytes, name: str) -> str:
        """The text of a page left unread (`on_disk`) that is written after all."""
        data = self.stored.get(digest)
        if data is None:
            raise FileOverwriteFailedError(f"{name}: the text kept for it by the last build is "
                                           "damaged; build again with --ignore-cache")
        return data.decode("utf-8")

    def render(self, template, values: dict) -> str:
        """The page for `values['output_file']`: the last build's, or rendered now."""
        name = values.get("output_file")
        self.latest = None
        self.unread = False
        record = self.old.get(name) if name else None
        if record is not None and self.fresh(record, values, template.environment):
            # the output keeps the page as it is on disk: its text is not even read (the
            # writer writes it if the file is to be written after all: StoredText)
            unread = self.on_disk is not None and self.on_disk(name, record.text)
            text = "" if unread else self.reuse(record)
            if text is not None:
                self.unread = unread
                self.new[name] = record
                self.reused += 1
                self.latest = (name, record.text)
                return text
        self._given = values
        with tracking.reading() as reads:
            text = template.render(values)
        self.rendered += 1
        if name:
            whole = {self.reference_of(post) for post in reads.posts}
            read = whole.union(map(self.reference_of, reads.fields))
            fields = tuple(sorted((ref, self.fields_digest(ref) or b"") for ref in read))
            bodies = tuple(sorted((ref, self.body_digest(ref) or b"") for ref in whole))
            data = text.encode("utf-8")
            digest = hashlib.blake2b(data, digest_size=16).digest()
            self.texts[digest] = data
            env = template.environment
            site, current, own = self.split(reads.names, values, env)
            self.new[name] = Record(own, site, self.site_digest(site, current, env), fields,
                                    bodies, digest)
            self.latest = (name, digest)
        return text

    # -- the hooks -----------------------------------------------------------

    def install(self, env) -> None:
        """Note what the templates of `env` read (done at its first page: by then every plugin
        has added its filters and globals). These hooks run for every name and attribute a
        template looks up: they do as little as they can.

        A post is noted whole (its fields and its text) when the page names it (`article`),
        reaches it as the value of an attribute (`info.next`), gives it to a filter, test or
        global, or reads an attribute of it that may read its text; only its fields when the
        page reads one of its other attributes. (A named post or a value may be given to some
        function of the context that these hooks cannot see: whole is the safe side.)"""
        if getattr(env, "_relais_tracking", None) is self:
            return
        env._relais_tracking = self
        cache, stack, touch, kinds = self, tracking.stack, self.touch, self._kinds

        class TrackingContext(env.context_class):
            def resolve_or_missing(self, key):
                if key in self.vars:  # set by the template itself
                    return self.vars[key]
                value = self.parent[key] if key in self.parent else missing
                if stack:
                    names = stack[-1].names
                    if key not in names:
                        kind = kinds.get(type(value))
                        if kind:
                            stack[-1].posts.add(id(value))
                        elif kind is None:
                            touch(value)
                        given = cache._given  # noted when not a value an includer set
                        if (given[key] if key in given else env.globals.get(key, missing)) \
                                is value:
                            names[key] = value  # digested when the page is done, if its own
                return value

        env.context_class = TrackingContext
        env.getattr = self.noting_lookups(env.getattr)
        env.getitem = self.noting_lookups(env.getitem)
        for table in (env.filters, env.tests, env.globals):
            for key, function in list(table.items()):
                if key not in JINJA_OWN and callable(function) and not isinstance(function, type):
                    table[key] = self.noting_arguments(function)

    def noting_lookups(self, lookup):
        """Jinja's `obj.attr` or `obj[key]` (`lookup`), noting the posts it reads or gives.

        Inline, for speed: `kinds` says which types are posts (None: not seen yet, then
        `known` finds out) and what each of their attributes reads (`facet_of`, remembered);
        a post is noted by its id (posts live as long as the build)."""
        stack, known, kinds = tracking.stack, self.known, self._kinds

        def noting(obj, argument):
            value = lookup(obj, argument)
            if stack:
                kind = kinds.get(type(obj))
                if kind is None:
                    kind = known(obj)
                if kind:
                    facet = kind.get(argument) if type(argument) is str else WHOLE
                    if facet is None:  # obj["name"] is obj.name for a post too
                        facet = kind[argument] = facet_of(type(obj), argument)
                    if facet is SUMMARY:  # as Pelican's `summary` decides
                        facet = FIELDS if "summary" in getattr(obj, "metadata", ()) else WHOLE
                    if facet is FIELDS:
                        stack[-1].fields.add(id(obj))
                    else:
                        stack[-1].posts.add(id(obj))
                kind = kinds.get(type(value))
                if kind or (kind is None and known(value)):
                    stack[-1].posts.add(id(value))
            return value

        return noting

    def known(self, value) -> dict | bool:
        """Whether `value` is a post: False, or its type's facets (remembered); a post is kept
        by its id."""
        kind = type(value)
        is_post = self._kinds.get(kind)
        if is_post is None:
            is_post = self._kinds[kind] = issubclass(kind, Content) and \
                dict.fromkeys(TEXT_ATTRIBUTES, WHOLE)
        if is_post:
            self._touched[id(value)] = value
        return is_post

    def touch(self, value) -> None:
        """A post the page being made reads whole (called only while one is)."""
        if self.known(value):
            tracking.stack[-1].posts.add(id(value))

    def noting_arguments(self, function):
        """A filter, test or global of Pelican's, a plugin's or the site's: the posts given to
        it count as read whole (it may read anything of them), unless it says it need not
        (see `leaves_posts`)."""
        stack, touch, kinds = tracking.stack, self.touch, self._kinds

        if leaves_posts(function):
            return function

        @functools.wraps(function)
        def call(*args, **kwargs):
            if stack:
                for value in (*args, *kwargs.values()):
                    if isinstance(value, list | tuple):  # Members too (relais.plugins.core)
                        for item in value:
                            if kinds.get(type(item)) is not False:
                                touch(item)
                    elif kinds.get(type(value)) is not False:
                        touch(value)
            return function(*args, **kwargs)

        return call


def leaves_posts(function) -> bool:
    """Whether the posts given to `function` need not be noted: it `reads_no_posts` (the
    theme's `_()`: text only), or it `passes_posts_to_macros` whose own reads are noted
    (the theme's `once()`: see relais.plugins.core.pelican)."""
    return getattr(function, "reads_no_posts", False) or \
        getattr(function, "passes_posts_to_macros", False)


class TrackedTemplate:
    """A template as Pelican's writer uses it (`render`), going through the page cache."""

    def __init__(self, template, cache: PageCache, context: dict):
        self.template, self.cache = template, cache
        cache.index(context)

    def render(self, values):
        self.cache.install(self.template.environment)
        return self.cache.render(self.template, values)

    def __getattr__(self, name):
        return getattr(self.template, name)



class StoredText:
    """The file of a page whose text was not read (the output was to keep it) but is written:
    the stored text goes in instead of the empty one the page was rendered as."""

    def __init__(self, handle, text: str):
        self.handle, self.text = handle, text

    def __enter__(self):
        self.handle.__enter__()
        return self

    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)

    def write(self, _empty: str) -> int:
        return self.handle.write(self.text)


def note_written(writer: Writer, filename: str, override: bool) -> None:
    """Pelican's rule for a file its writer is asked to write twice (an error unless one of
    the writes overrides), for a page left as it is on disk instead of written."""
    if filename in writer._overridden_files and override:
        raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time')
    if filename in writer._written_files and not override and \
            filename not in writer._overridden_files:
        raise FileOverwriteFailedError(f'Failed to overwrite "{filename}": it was already written')
    if override:
        writer._overridden_files.add(filename)
    writer._written_files.add(filename)


# -- the build's fingerprint and the caches of one build ---------------------------------

STAMP = "relais-fingerprint"
# serve builds each time into a new folder; how many processes build it changes no page
VOLATILE = ("OUTPUT_PATH", "BUILD_WORKERS")


def code_folders() -> list[Path]:
    """Relais's own code, templates and translations (its plugins and theme included)."""
    import relais as package
    import relais.plugins
    import relais.theme

    folders = [Path(package.__file__).parent]
    folders += [Path(p) for module in (relais.plugins, relais.theme) for p in module.__path__]
    return folders


def files_digest(folders: list[Path], digest: Digester) -> bytes:
    """The names and bytes of every file under `folders` (caches and bytecode aside)."""
    entries = []
    for folder in sorted(set(folders)):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                entries.append((str(path), path.read_bytes()))
    return digest(entries)


def fingerprint(settings: dict) -> bytes:
    """What every page depends on: the settings, the theme, the code of Relais, Pelican,
    Jinja and Markdown. Any change makes every page and every cached post again."""
    from importlib.metadata import version

    digest = Digester()
    chosen = {key: value for key, value in settings.items()
              if key.isupper() and key not in VOLATILE}
    versions = [version(name) for name in ("pelican", "jinja2", "markdown")]
    folders = code_folders() + [Path(settings["THEME"])]
    return digest(("relais-build", FORMAT, sys.version, versions, digest(chosen),
                   files_digest([f for f in folders if f.is_dir()], digest)))


def reuse_markdown(readers) -> None:
    """For Pelican's readers_init signal: Markdown files read with one parser per generator,
    reset between files, instead of a new parser (all its extensions set up again) for each:
    the same HTML and metadata (tests/test_incremental.py compares them), 2,000 set-ups fewer
    on 2,000 posts."""
    for extension, cls in readers.reader_classes.items():
        if cls is not None and issubclass(cls, MarkdownReader) and \
                not getattr(cls, "relais_reusing", False):
            readers.reader_classes[extension] = reusing_reader(cls)


class _Nothing(Preprocessor):
    def run(self, lines):
        return lines


@functools.cache
def reusing_reader(cls):
    class Reusing(cls):
        relais_reusing = True
        _documents = _fields = None

        def read(self, source_path):
            if self._documents is None:
                self._documents = Markdown(**self.settings["MARKDOWN"])
                self._fields = Markdown(**self.settings["MARKDOWN"])
            self._source_path = source_path
            with pelican_open(source_path) as text:
                content = self._documents.reset().convert(text)
            meta = getattr(self._documents, "Meta", None)
            if meta is None:
                return content, {}
            # Pelican's metadata reading takes the "meta" step out of the parser it is given
            # (so that a Summary is not read as metadata); give it one to take out
            if "meta" not in self._fields.preprocessors:
                self._fields.preprocessors.register(_Nothing(self._fields), "meta", 0)
            self._md = self._fields
            return content, self._parse_metadata(meta)

    Reusing.__name__ = Reusing.__qualname__ = cls.__name__  # Pelican records it
    return Reusing


class Incremental:
    """The caches of one build: Pelican's content cache (posts read again only when their
    bytes change) and the page cache, both dropped when the fingerprint changes."""

    def __init__(self, settings: dict, ignore: bool = False):
        self.settings = settings
        self.cache_path = Path(settings["CACHE_PATH"])
        self.fingerprint = fingerprint(settings)
        stamp = self.cache_path / STAMP
        try:
            same = not ignore and stamp.read_bytes() == self.fingerprint
        except OSError:
            same = False
        if not same:  # this build's caches are made anew: no stamp vouches for them until it ends
            stamp.unlink(missing_ok=True)
        settings.update(CACHE_CONTENT=True, LOAD_CONTENT_CACHE=same,
                        CONTENT_CACHING_LAYER="reader", CHECK_MODIFIED_METHOD="md5",
                        GZIP_CACHE=False)
        if not ignore:  # the plugins' own caches (relais.memo), keyed by it too
            settings[memo.FINGERPRINT] = self.fingerprint
        self.pages = PageCache(settings, self.fingerprint, use=same)
        self.output = None  # relais.output.Output: pages the same as on disk are not written

    def writer(self, _pelican):
        """For Pelican's get_writer signal: its writer, rendering through the page cache and
        leaving in place the pages whose text is the one on disk."""
        pages, output = self.pages, self.output
        root = os.path.abspath(self.settings["OUTPUT_PATH"]) + os.sep

        class CachingWriter(Writer):
            def template_for(self, template, context):
                """What renders a page of `template` (relais.writing wraps it)."""
                return TrackedTemplate(template, pages, context)

            def write_file(self, name, template, context, *args, **kwargs):
                try:
                    return super().write_file(name, self.template_for(template, context),
                                              context, *args, **kwargs)
                finally:
                    signals.content_written.is_muted = False

            def _open_w(self, filename, encoding, override=False):
                name = filename[len(root):] if filename.startswith(root) else None
                skipped = filename in self._overridden_files and not override  # by Pelican
                latest = pages.latest
                page = latest is not None and os.path.normpath(latest[0]) == name
                if output is not None and name is not None and not skipped:
                    if page and output.unchanged(name, latest[1]):
                        note_written(self, filename, override)
                        signals.content_written.is_muted = True  # as the last build left it
                        pages.unread = False
                        return io.StringIO()
                    output.before_writing(name)
                signals.content_written.is_muted = False
                handle = super()._open_w(filename, encoding, override)
                if page and pages.unread:  # its text was not read: the stored one is written
                    pages.unread = False
                    return StoredText(handle, pages.stored_text(latest[1], name))
                return handle

        if output is not None:
            pages.on_disk = lambda name, digest: output.unchanged(os.path.normpath(name), digest)
        return CachingWriter

    def save(self) -> None:
        """After a good build: the page records, then the stamp that vouches for the caches."""
        self.pages.save()
        self.cache_path.mkdir(parents=True, exist_ok=True)
        temporary = self.cache_path / f".{STAMP}.{os.getpid()}"
        temporary.write_bytes(self.fingerprint)
        os.replace(temporary, self.cache_path / STAMP)
