#!/usr/bin/env python3
"""
decodetree.py: turn declarative instruction-pattern files (.decode) into a
plain C decoder.  The format is documented in docs/decodetree.md; in short:

    # comment
    @fmt   field=spec field=spec ... [; "TEMPLATE"]      reusable field extractions
    name   BITS [@fmt] [field=spec ...] [; [MNEMONIC] ["TEMPLATE"]]
                                                       one instruction pattern

The `;` annotations say how to disassemble a pattern (mnemonic, default the
pattern name; operand template, default the format's); they do not affect
decoding.

BITS is a string of 0, 1 and - (don't care), MSB first, 32 or 16 characters
once the whitespace-separated groups are joined.  32-bit patterns go into
<prefix>_decode32(), 16-bit ones into <prefix>_decode16().  The first
matching pattern (file order, files in command-line order) wins and calls
    bool trans_<name>(DisasContext *ctx, const <Args> *a);
with '.' in the name replaced by '_'.

Usage:
    decodetree.py --out-c riscv-decode.c --out-h riscv-decode.h \\
        [--stubs stubs.c] [--out-disas disas.c] insn32.decode insn16.decode ...

--stubs writes a C file defining every trans_* function as a call to
    bool decode_test_record(const char *name, const <Args> *a);
so a unit test can link the decoder without the translator.

--out-disas writes <prefix>_disas_decode32/16(insn, <Args> *a,
    const char **mnemonic, const char **operands): the same matching, but a
match fills *a and returns the pattern's annotations (target/riscv/disas.c
formats them).
"""

import argparse
import os
import re
import sys

# RvArgs members a field may set (target/riscv/translate.h).
ARG_FIELDS = ["rd", "rs1", "rs2", "rs3", "imm", "rm", "aq", "rl", "csr", "shamt",
              "pred", "succ"]

# Words a disassembly operand template may use (target/riscv/disas.c
# gives their meaning); anything else in a template is copied literally.
DISAS_OPERANDS = ["rd", "rs1", "rs2", "rs3", "frd", "frs1", "frs2", "frs3", "imm",
                  "shamt", "hi20", "target", "csr", "pred", "succ", "rm"]

# Major-opcode bits the generated switch dispatches on, per width.
DISPATCH_MASK = {32: 0x0000007F, 16: 0x0000E003}

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
BITS_RE = re.compile(r"^[01-]+$")
PIECE_RE = re.compile(r"^(\d+)(?::(\d+))?$")


class DecodeError(Exception):
    pass


class Field:
    """How one RvArgs member is computed from the instruction word."""

    def __init__(self, name, pieces, signed, shift, add, const, text):
        self.name = name
        self.pieces = pieces      # list of (hi, lo), MSB first
        self.signed = signed
        self.shift = shift
        self.add = add
        self.const = const        # int or None
        self.text = text

    def width(self):
        return sum(hi - lo + 1 for hi, lo in self.pieces)

    def c_expr(self):
        """C expression (int64_t) for the field value; `insn` is the word."""
        if self.const is not None:
            return c_int(self.const)
        parts = []
        pos = self.width()
        for hi, lo in self.pieces:
            n = hi - lo + 1
            pos -= n
            e = "dt_extract(insn, %d, %d)" % (lo, n)
            if pos:
                e = "(%s << %d)" % (e, pos)
            parts.append(e)
        e = " | ".join(parts)
        if self.signed:
            e = "dt_sext(%s, %d)" % (e, self.width())
        else:
            e = "(int64_t)(%s)" % e if len(parts) > 1 else "(int64_t)%s" % e
        if self.shift:
            # Multiply rather than shift: a left shift of a negative value
            # is undefined in C.
            e = "%s * %s" % (e, c_int(1 << self.shift))
        if self.add:
            e = "%s %s %s" % (e, "+" if self.add > 0 else "-", c_int(abs(self.add)))
        return e

    def value(self, insn):
        """Python model of c_expr, for self-checks."""
        if self.const is not None:
            return self.const
        v = 0
        for hi, lo in self.pieces:
            n = hi - lo + 1
            v = (v << n) | ((insn >> lo) & ((1 << n) - 1))
        w = self.width()
        if self.signed and v >> (w - 1):
            v -= 1 << w
        return (v << self.shift) + self.add


class Pattern:
    def __init__(self, name, width, mask, match, fields, where, mnemonic=None,
                 operands=None):
        self.name = name
        self.mnemonic = mnemonic or name   # disassembly mnemonic
        self.operands = operands           # disassembly operand template
        self.width = width
        self.mask = mask
        self.match = match
        self.fields = fields      # dict name -> Field, in insertion order
        self.where = where        # "file:line"

    def handler(self):
        return "trans_" + self.name.replace(".", "_")


def c_int(v):
    if -(1 << 31) <= v < (1 << 31):
        return str(v)
    return "INT64_C(%d)" % v


def parse_int(text, where):
    try:
        return int(text, 0)
    except ValueError:
        raise DecodeError("%s: bad number '%s'" % (where, text))


def parse_field(name, spec, width, where):
    """Parse `[s]PIECE|PIECE...[<<N][+K|-K]` or `#K`."""
    if name not in ARG_FIELDS:
        raise DecodeError("%s: unknown field '%s' (one of: %s)"
                          % (where, name, " ".join(ARG_FIELDS)))
    text = "%s=%s" % (name, spec)
    if spec.startswith("#"):
        return Field(name, [], False, 0, 0, parse_int(spec[1:], where), text)
    m = re.match(r"^(s?)([0-9:|]+)(?:<<(\d+))?(?:([+-])(\w+))?$", spec)
    if not m:
        raise DecodeError("%s: bad field spec '%s'" % (where, text))
    signed = m.group(1) == "s"
    pieces = []
    for p in m.group(2).split("|"):
        pm = PIECE_RE.match(p)
        if not pm:
            raise DecodeError("%s: bad bit range '%s' in '%s'" % (where, p, text))
        hi = int(pm.group(1))
        lo = int(pm.group(2)) if pm.group(2) is not None else hi
        if hi < lo or hi >= width:
            raise DecodeError("%s: bit range '%s' outside a %d-bit insn"
                              % (where, p, width))
        pieces.append((hi, lo))
    shift = int(m.group(3)) if m.group(3) else 0
    add = 0
    if m.group(4):
        add = parse_int(m.group(5), where)
        if m.group(4) == "-":
            add = -add
    f = Field(name, pieces, signed, shift, add, None, text)
    if f.width() > 63 or f.width() + shift > 64:
        raise DecodeError("%s: field '%s' too wide" % (where, text))
    return f


def parse_fields(tokens, width, where):
    fields = {}
    for tok in tokens:
        if "=" not in tok:
            raise DecodeError("%s: expected field=spec, got '%s'" % (where, tok))
        name, spec = tok.split("=", 1)
        if name in fields:
            raise DecodeError("%s: field '%s' given twice" % (where, name))
        fields[name] = parse_field(name, spec, width, where)
    return fields


def parse_files(paths):
    """Return the patterns of all files, in order."""
    patterns = []
    for path in paths:
        # Formats are per file; a format name may be reused in another file.
        formats = {}
        base = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        for lineno, raw in enumerate(lines, 1):
            where = "%s:%d" % (base, lineno)
            line = strip_comment(raw)
            line, mnemonic, operands = split_disas(line, where)
            toks = line.split()
            if not toks:
                if mnemonic or operands is not None:
                    raise DecodeError("%s: disassembly annotation without a pattern" % where)
                continue
            if toks[0].startswith("@"):
                fname = toks[0][1:]
                if not IDENT_RE.match(fname):
                    raise DecodeError("%s: bad format name '%s'" % (where, fname))
                if fname in formats:
                    raise DecodeError("%s: format '@%s' defined twice" % (where, fname))
                # Formats do not know their width yet: check against 32 and
                # re-check when a pattern uses them.
                if mnemonic:
                    raise DecodeError("%s: a format takes only an operand template" % where)
                formats[fname] = (toks[1:], where, operands)
                parse_fields(toks[1:], 32, where)
                continue
            patterns.append(parse_pattern(toks, formats, where, mnemonic, operands))
    return patterns


DISAS_RE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_.]*)?\s*(?:"([^"]*)")?\s*$')
OPERAND_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def split_disas(line, where):
    """Split off a `; [MNEMONIC] ["OPERANDS"]` disassembly annotation.
    Returns (rest of line, mnemonic or None, operand template or None)."""
    if ";" not in line:
        return line, None, None
    line, ann = line.split(";", 1)
    m = DISAS_RE.match(ann)
    if not m:
        raise DecodeError("%s: bad disassembly annotation '%s'" % (where, ann.strip()))
    ops = m.group(2)
    if ops is not None and not re.match(r"^[A-Za-z0-9_,()+\- ]*$", ops):
        raise DecodeError("%s: disassembly template '%s' has characters other than "
                          "words and , ( ) + - space" % (where, ops))
    if ops is not None:
        for word in OPERAND_RE.findall(ops):
            if word not in DISAS_OPERANDS:
                raise DecodeError("%s: unknown disassembly operand '%s' (one of: %s)"
                                  % (where, word, " ".join(DISAS_OPERANDS)))
    return line, m.group(1), ops


def strip_comment(raw):
    """Remove a '# comment': a '#' that starts a token (the '#' of a
    'field=#K' constant is inside its token)."""
    out = []
    for tok in re.split(r"(\s+)", raw):
        if tok.startswith("#"):
            break
        out.append(tok)
    return "".join(out)


def parse_pattern(toks, formats, where, mnemonic=None, operands=None):
    name = toks[0]
    if not IDENT_RE.match(name):
        raise DecodeError("%s: bad pattern name '%s'" % (where, name))
    i = 1
    bits = ""
    while i < len(toks) and BITS_RE.match(toks[i]):
        bits += toks[i]
        i += 1
    if len(bits) not in (16, 32):
        raise DecodeError("%s: '%s' has %d pattern bits, need 16 or 32"
                          % (where, name, len(bits)))
    width = len(bits)
    mask = match = 0
    for ch in bits:
        mask <<= 1
        match <<= 1
        if ch != "-":
            mask |= 1
            match |= int(ch)
    fields = {}
    rest = toks[i:]
    if rest and rest[0].startswith("@"):
        fname = rest[0][1:]
        if fname not in formats:
            raise DecodeError("%s: unknown format '@%s'" % (where, fname))
        ftoks, fwhere, fops = formats[fname]
        fields = parse_fields(ftoks, width, fwhere)
        if operands is None:
            operands = fops
        rest = rest[1:]
    for tok in rest:
        if tok.startswith("@"):
            raise DecodeError("%s: only one @format per pattern" % where)
    fields.update(parse_fields(rest, width, where))
    if name == "illegal":
        if mnemonic or operands is not None:
            raise DecodeError("%s: 'illegal' takes no disassembly annotation" % where)
    elif operands is None:
        if fields:
            raise DecodeError("%s: '%s' has operand fields but no disassembly template "
                              "(add ; \"...\" to it or to its format)" % (where, name))
        operands = ""
    if mnemonic is None:
        mnemonic = name
    return Pattern(name, width, mask, match, fields, where, mnemonic, operands)


def check_shadowing(patterns):
    """A pattern that can never match (an earlier one covers all of its
    encodings) is almost certainly a mistake in the .decode file."""
    for i, p in enumerate(patterns):
        for q in patterns[:i]:
            if q.width != p.width:
                continue
            # q covers p if every bit q fixes is fixed the same way by p.
            if (q.mask & p.mask) == q.mask and (p.match & q.mask) == q.match:
                raise DecodeError("%s: pattern '%s' is unreachable: %s '%s' "
                                  "matches all its encodings"
                                  % (p.where, p.name, q.where, q.name))


def gen_pattern(out, p, indent, args_type, disas=False):
    pad = " " * indent
    digits = 8 if p.width == 32 else 4
    out.append("%sif ((insn & 0x%0*x) == 0x%0*x) {" % (pad, digits, p.mask, digits, p.match))
    out.append("%s    /* %s  %s */" % (pad, p.name, p.where))
    if disas:
        if p.name == "illegal":
            out.append("%s    return false;" % pad)
            out.append("%s}" % pad)
            return
        out.append("%s    *a = (%s){ 0 };" % (pad, args_type))
        for name in ARG_FIELDS:
            if name in p.fields:
                out.append("%s    a->%s = %s;" % (pad, name, p.fields[name].c_expr()))
        out.append('%s    *mnemonic = "%s";' % (pad, p.mnemonic))
        out.append('%s    *operands = "%s";' % (pad, p.operands))
        out.append("%s    return true;" % pad)
        out.append("%s}" % pad)
        return
    out.append("%s    %s a = { 0 };" % (pad, args_type))
    for name in ARG_FIELDS:
        if name in p.fields:
            out.append("%s    a.%s = %s;" % (pad, name, p.fields[name].c_expr()))
    out.append("%s    return %s(ctx, &a);" % (pad, p.handler()))
    out.append("%s}" % pad)


def gen_decoder(out, fname, itype, width, patterns, args_type, disas=False):
    if disas:
        out.append("bool %s(%s insn, %s *a, const char **mnemonic, const char **operands)"
                   % (fname, itype, args_type))
    else:
        out.append("bool %s(DisasContext *ctx, %s insn)" % (fname, itype))
    out.append("{")
    pats = [p for p in patterns if p.width == width]
    if not pats:
        if disas:
            out.append("    (void)a;")
            out.append("    (void)mnemonic;")
            out.append("    (void)operands;")
        else:
            out.append("    (void)ctx;")
        out.append("    (void)insn;")
        out.append("    return false;")
        out.append("}")
        return
    dmask = DISPATCH_MASK[width]
    digits = 8 if width == 32 else 4
    # Every value of the dispatch bits some pattern fixes gets a case holding,
    # in file order, every pattern that can match there; patterns that do not
    # fix all dispatch bits also go to the default, so first-match order is
    # kept exactly.
    keys = sorted({p.match & dmask for p in pats if (p.mask & dmask) == dmask})
    loose = [p for p in pats if (p.mask & dmask) != dmask]
    out.append("    switch (insn & 0x%0*x) {" % (digits, dmask))
    for k in keys:
        out.append("    case 0x%0*x:" % (digits, k))
        for p in pats:
            if (k & p.mask & dmask) == (p.match & dmask):
                gen_pattern(out, p, 8, args_type, disas)
        out.append("        return false;")
    out.append("    default:")
    for p in loose:
        gen_pattern(out, p, 8, args_type, disas)
    out.append("        return false;")
    out.append("    }")
    out.append("}")


HELPERS = """\
/* Bits [pos, pos+len) of insn. */
static inline uint32_t dt_extract(uint32_t insn, int pos, int len)
{
    return (uint32_t)((insn >> pos) & ((1ull << len) - 1));
}

/* Sign-extend the low `width` bits of v. */
static inline int64_t dt_sext(uint64_t v, int width)
{
    uint64_t sign = 1ull << (width - 1);
    return (int64_t)((v ^ sign) - sign);
}
"""


def generate(patterns, sources, header_name, prefix, args_type):
    handlers = []
    seen = set()
    for p in patterns:
        h = p.handler()
        if h not in seen:
            seen.add(h)
            handlers.append(h)
    srcs = ", ".join(os.path.basename(s) for s in sources)
    guard = re.sub(r"[^A-Za-z0-9]", "_", header_name).upper()

    h = []
    h.append("/* Generated by scripts/decodetree.py from %s.  Do not edit. */" % srcs)
    h.append("#ifndef %s" % guard)
    h.append("#define %s" % guard)
    h.append("")
    h.append('#include "target/riscv/translate.h"')
    h.append("")
    for name in handlers:
        h.append("bool %s(DisasContext *ctx, const %s *a);" % (name, args_type))
    h.append("")
    h.append("#endif")

    c = []
    c.append("/*")
    c.append(" * Generated by scripts/decodetree.py from %s.  Do not edit." % srcs)
    c.append(" * Each case of the switch on the major opcode tries its patterns in")
    c.append(" * file order; the first match fills a %s and calls its handler." % args_type)
    c.append(" */")
    c.append("#include <stdbool.h>")
    c.append("#include <stdint.h>")
    c.append("")
    c.append('#include "%s"' % header_name)
    c.append("")
    c.append(HELPERS)
    gen_decoder(c, prefix + "_decode32", "uint32_t", 32, patterns, args_type)
    c.append("")
    gen_decoder(c, prefix + "_decode16", "uint16_t", 16, patterns, args_type)

    s = []
    s.append("/* Generated by scripts/decodetree.py: test stubs.  Do not edit. */")
    s.append('#include "%s"' % header_name)
    s.append("")
    s.append("bool decode_test_record(const char *name, const %s *a);" % args_type)
    s.append("")
    for name in handlers:
        s.append("bool %s(DisasContext *ctx, const %s *a)" % (name, args_type))
        s.append("{")
        s.append("    (void)ctx;")
        s.append('    return decode_test_record("%s", a);' % name[len("trans_"):])
        s.append("}")
        s.append("")
    d = []
    d.append("/*")
    d.append(" * Generated by scripts/decodetree.py from %s.  Do not edit." % srcs)
    d.append(" * The decoder's patterns, in the same order, but a match only fills the")
    d.append(" * %s and names the pattern's disassembly mnemonic and operand" % args_type)
    d.append(" * template (the `; ...` annotations); 'illegal' patterns return false.")
    d.append(" */")
    d.append("#include <stdbool.h>")
    d.append("#include <stdint.h>")
    d.append("")
    d.append('#include "target/riscv/disas.h"')
    d.append("")
    d.append(HELPERS)
    gen_decoder(d, prefix + "_disas_decode32", "uint32_t", 32, patterns, args_type, True)
    d.append("")
    gen_decoder(d, prefix + "_disas_decode16", "uint16_t", 16, patterns, args_type, True)
    return ("\n".join(c) + "\n", "\n".join(h) + "\n", "\n".join(s),
            "\n".join(d) + "\n")


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    ap = argparse.ArgumentParser(description="Generate a C decoder from .decode files")
    ap.add_argument("--out-c", required=True)
    ap.add_argument("--out-h", required=True)
    ap.add_argument("--stubs")
    ap.add_argument("--out-disas", help="also write the disassembly decoder here")
    ap.add_argument("--prefix", default="riscv")
    ap.add_argument("--args-type", default="RvArgs")
    ap.add_argument("inputs", nargs="+")
    opts = ap.parse_args(argv)
    try:
        patterns = parse_files(opts.inputs)
        check_shadowing(patterns)
    except (DecodeError, OSError) as e:
        print("decodetree: error: %s" % e, file=sys.stderr)
        return 1
    c_text, h_text, s_text, d_text = generate(patterns, opts.inputs, os.path.basename(opts.out_h),
                                      opts.prefix, opts.args_type)
    write_if_changed(opts.out_c, c_text)
    write_if_changed(opts.out_h, h_text)
    if opts.stubs:
        write_if_changed(opts.stubs, s_text)
    if opts.out_disas:
        write_if_changed(opts.out_disas, d_text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
