import { duckdb } from '../../dialects/duckdb';
import { mysql } from '../../dialects/mysql';
import { postgres, postgresWithoutMerge } from '../../dialects/postgres';
import { dltShortenIdentifier, dltTag, dltTrimAndTag } from '../../src/align/dltShortening';
import { DLT_NON_ALPHANUMERIC, dltBreakPath, dltMakePath, dltNormalizeIdentifier, dltNormalizePath, dltSnakeCase } from '../../src/align/snakeCase';

/**
 * dlt's snake_case naming, exactly: every vector of dlt's own tests, at
 * dlt-hub/dlt 58d66fc (dlt 1.26), cited as file:line. Abbreviations:
 *   SC = tests/common/normalizers/test_naming_snake_case.py
 *   NM = tests/common/normalizers/test_naming.py
 * Where dlt's test draws random input (uniq_id) or only checks a property,
 * the exact result was also computed by running dlt's own naming modules
 * (naming.py, snake_case.py, sql_cs_v1.py at that commit) under Python 3.11,
 * and is pinned here; those rows say "dlt's code".
 */

// NM:30-37, the fixtures of dlt's test_naming.py.
const LONG_PATH =
  'prospects_external_data__data365_member__member__feed_activities_created_post__items__comments__items__comments__items__author_details__educations';
const ASCII_LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const DENSE_PATH = [...ASCII_LOWERCASE].join('__');
// Python's string.printable: digits, letters, punctuation, whitespace.
const PRINTABLE = `0123456789${ASCII_LOWERCASE}${ASCII_LOWERCASE.toUpperCase()}!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~ \t\n\r\x0b\x0c`;
const LONG_IDENT = PRINTABLE.repeat(10);
const IDENT_20_CHARS = 'she played cello well';
const RAW_IDENT = ".\n'played CELLO🚧_";
const RAW_IDENT_W_SPACES = `  ${RAW_IDENT} \t\n`;
const RAW_IDENT_2 = '123."\rhello😄!';
const RAW_IDENT_2_W_SPACES = `\n  ${RAW_IDENT_2} \t `;
const RAW_PATH = [RAW_IDENT, RAW_IDENT_2_W_SPACES, RAW_IDENT_2, RAW_IDENT_2_W_SPACES];
const EMPTY_IDENT = '   \t\n ';
const RAW_PATH_WITH_EMPTY_IDENT = [RAW_IDENT, RAW_IDENT_2_W_SPACES, EMPTY_IDENT, RAW_IDENT_2, RAW_IDENT_2_W_SPACES];

/** Python's len(): code points. */
const len = (s: string) => [...s].length;
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** NM:319-322, assert_short_path. */
function expectShortPath(normPath: string, maxLength: number): void {
  expect(len(normPath)).toBe(maxLength);
  expect(dltNormalizePath(normPath, maxLength)).toBe(normPath);
  for (const part of dltBreakPath(normPath)) expect(len(part)).toBeLessThanOrEqual(maxLength);
}

describe("dlt's snake_case: normalize_identifier (SC)", () => {
  it.each([
    ['SC:13', 'event_value', 'event_value'],
    ['SC:14', 'event value', 'event_value'],
    ['SC:15', 'event-.!:*<>value', 'event_x_value'],
    ['SC:17 leading digits are prefixed', "1event_n'", '_1event_nx'],
    ['SC:18', "123event_n'", '_123event_nx'],
    ['SC:20 camel case split, lower-cased', '123BaNaNa', '_123_ba_na_na'],
    ['SC:22 acronyms', 'BANANA', 'banana'],
    ['SC:23', 'BAN_ANA', 'ban_ana'],
    ['SC:24', 'BANaNA', 'ba_na_na'],
    ['SC:26 spaces', 'Small Love Potion', 'small_love_potion'],
    ['SC:27 trimmed', ' Small Love Potion ', 'small_love_potion'],
    ['SC:29 trailing _ become x', 'BANANA_', 'bananax'],
    ['SC:30', 'BANANA____', 'bananaxxxx'],
    ['SC:32 the reduced alphabet', '+-!$*@#=|:', 'x_xa_lx'],
    ['SC:34', '+1', 'x1'],
    ['SC:35', '-1', '_1'],
    ['SC:39-42 _REDUCE_ALPHABET ("+-*@|" → "x_xal")', '+-*@|', 'x_xal'],
    ['SC:70 runs of _ collapse', 'event__value_value2____', 'event_value_value2xxxx'],
    // dlt's reserved prefix: its own tables and columns start with _dlt, which the convention keeps
    // (dlt/common/schema/schema.py:1208; tests/common/schema/test_normalize_identifiers.py:414-415).
    ['test_normalize_identifiers.py:414 reserved prefix', '_dlt', '_dlt'],
    ['test_normalize_identifiers.py:415', '_dlt_loads', '_dlt_loads'],
    ["dlt's columns (relational.py:88-90)", '_dlt_load_id', '_dlt_load_id'],
    ["dlt's columns", '_dlt_id', '_dlt_id'],
  ])('%s: %j → %j', (_source, input, expected) => {
    expect(dltNormalizeIdentifier(input)).toBe(expected);
  });

  it('NM:163-167: an empty or blank identifier is refused', () => {
    expect(() => dltNormalizeIdentifier(EMPTY_IDENT)).toThrow(RangeError);
    expect(() => dltNormalizeIdentifier('')).toThrow(RangeError);
  });

  it('NM:169-172: a raw identifier is changed, and surrounding whitespace does not count', () => {
    expect(dltNormalizeIdentifier(RAW_IDENT)).not.toBe(RAW_IDENT);
    expect(dltNormalizeIdentifier(RAW_IDENT)).toBe(dltNormalizeIdentifier(RAW_IDENT_W_SPACES));
    expect(dltNormalizeIdentifier(RAW_IDENT)).toBe('_played_celloxx'); // dlt's code
  });

  it('NM:174-182: shortened, the tag is hashed from the stripped identifier', () => {
    const max = Math.floor(len(RAW_IDENT) / 2); // 8: the emoji is one character, as Python counts
    const tag = dltTag(RAW_IDENT);
    expect(dltNormalizeIdentifier(RAW_IDENT, max)).toBe(dltNormalizeIdentifier(RAW_IDENT_W_SPACES, max));
    expect(dltNormalizeIdentifier(RAW_IDENT, max)).toContain(tag);
    expect(dltNormalizeIdentifier(RAW_IDENT, max)).toBe('_vrhqfwx'); // dlt's code (tag vrhqfw)
  });

  it.each([
    ['SC:63', '-=!*', '_'],
    ['SC:64', '1-=!0*-', '1_0_'],
    ['SC:65', '1-=!_0*-', '1__0_'],
  ])('%s: RE_NON_ALPHANUMERIC turns each run of other characters into one _: %j → %j', (_source, input, expected) => {
    expect(input.replace(DLT_NON_ALPHANUMERIC, '_')).toBe(expected);
  });
});

describe("dlt's snake_case: normalize_path keeps the __ separators (SC)", () => {
  it.each([
    ['SC:46', 'small_love_potion', 'small_love_potion'],
    ['SC:47', 'small__love__potion', 'small__love__potion'],
    ['SC:48', 'Small_Love_Potion', 'small_love_potion'],
    ['SC:49', 'Small__Love__Potion', 'small__love__potion'],
    ['SC:50', 'Small Love Potion', 'small_love_potion'],
    ['SC:51', 'Small  Love  Potion', 'small_love_potion'],
    ['SC:56-57 empty parts dropped', 'Small___Love____Potion_____x', 'small___love__potion___x'],
    ['SC:59', 'small___love__potion___x', 'small___love__potion___x'],
    ['SC:72', 'e_vent__value_value2___', 'e_vent__value_value2__x'],
  ])('%s: %j → %j', (_source, input, expected) => {
    expect(dltNormalizePath(input)).toBe(expected);
  });

  it('NM:229-244: a raw path keeps its parts, normalizing twice changes nothing, blank parts are dropped', () => {
    const raw = dltMakePath(...RAW_PATH);
    expect(raw).toContain('__');
    const norm = dltNormalizePath(raw);
    expect(dltBreakPath(norm)).toHaveLength(RAW_PATH.length);
    expect(dltNormalizePath(norm)).toBe(norm);
    expect(dltNormalizePath(dltNormalizePath(norm))).toBe(norm);
    expect(dltMakePath(...RAW_PATH_WITH_EMPTY_IDENT)).toBe(raw);
    expect(norm).toBe('_played_cellox___123_hellox___123_hellox___123_hellox'); // dlt's code
  });

  it('NM:246-267: shortening a path tags it with the hash of the raw path, idempotently, also when parts are cut', () => {
    const raw = dltMakePath(...RAW_PATH);
    const tag = dltTag(raw);
    const roomy = len(RAW_IDENT) * 2;
    const tagged = dltNormalizePath(raw, roomy);
    expect(tagged).toContain(tag);
    expect(dltNormalizePath(tagged, roomy)).toBe(tagged);
    expect(dltNormalizePath(dltNormalizePath(tagged, roomy), roomy)).toBe(tagged);
    expect(dltMakePath(...dltBreakPath(tagged))).toBe(tagged);
    expect(tagged).toBe('_played_cellox3dc79ax___123_hellox'); // dlt's code
    const cut = dltNormalizePath(raw, len(RAW_IDENT) - 4);
    expect(cut).toContain(tag);
    expect(cut).toBe('_pla3dc79alox'); // dlt's code
  });

  it('NM:186-225: long and dense paths shortened to every length around their own', () => {
    const path = dltMakePath(...LONG_PATH.split('__'));
    expect(dltNormalizePath(path)).toBe(path);
    for (const max of [64, 127]) expectShortPath(dltNormalizePath(path, max), max);
    // dlt's code:
    expect(dltNormalizePath(path, 64)).toBe('prospects_external_data__datavjh0lqs__author_details__educations');
    expect(dltNormalizePath(path, 127)).toBe('prospects_external_data__data365_member__member__feed_activitvjh0lqcomments__items__comments__items__author_details__educations');
    for (const p of [path, dltMakePath(...DENSE_PATH.split('__'))]) {
      for (const max of range(Math.floor(len(p) / 2), Math.floor(len(p) * 1.1))) {
        const norm = dltNormalizePath(p, max);
        if (max >= len(p)) expect(norm).toBe(p);
        else expectShortPath(norm, max);
      }
    }
    // dlt's code:
    expect(dltNormalizePath(DENSE_PATH, 40)).toBe('a__b__c__d__e__f_jx2haa_u__v__w__x__y__z');
    expect(dltNormalizePath(DENSE_PATH, 50)).toBe('a__b__c__d__e__f__g__hjx2haas__t__u__v__w__x__y__z');
    const short = dltNormalizePath(LONG_IDENT, 16);
    expect(len(short)).toBe(16);
    expect(dltBreakPath(short)).toHaveLength(1);
    expect(short).toBe('_01234anbiq_a_lx'); // dlt's code
  });

  it.each([
    ['NM:291', 'A__B__C', ['A', 'B', 'C']],
    ['NM:293', '_a___b__C___D', ['_a', '_b', 'C', '_D']],
    ['NM:295', '_a_____b', ['_a', '_b']],
    ['NM:296', '_a____b', ['_a', 'b']],
    ['NM:297', '_a__  \t\r__b', ['_a', 'b']],
  ])('%s: break_path %j → %j', (_source, path, parts) => {
    expect(dltBreakPath(path)).toEqual(parts);
  });

  it.each([
    ['NM:303', ['A', 'B'], 'A__B'],
    ['NM:304', ['_A', '_B'], '_A___B'],
    ['NM:305', ['_A', '', '_B'], '_A___B'],
    ['NM:306', ['_A', '\t\n ', '_B'], '_A___B'],
  ])('%s: make_path %j → %j', (_source, parts, path) => {
    expect(dltMakePath(...parts)).toBe(path);
  });
});

describe("dlt's shortening: the tag and where it goes (NM)", () => {
  it.each([
    ['3f17271231504b8cf65690bcdc379df8a3b8aabe12efe1ea82848ec5f497cb69', 'gds0iw'],
    ['58e5c351b53ffe1233e0656a532a721ae1d2ac7af71b6cfec8ceb64c63b10721', 'uyboiq'],
    ['e3f34629839cedcabba95354e48a78dc80b0cd35c02ddfbbf20196ba7f968866', '51wdcg'],
    ['f0f22b8e8c58389a6c21dbcc1e261ee0354704e24996a0ec541276f58d1f2f52', 'bpm7ca'],
    ['0d0de95c7c12ceee919d28d22c970285d80a36dea4fe32dbdd667a888ae6d47f', 'doqcuq'],
    ['4973509ea648ddfbaf6c50e1fef33c3b0a3d1c1a82dff543a8255e60b6572567', 'cl7rpq'],
    ['877c89f0dcbd24b8c3f787624ddca09deb6a44e4a72f12527209d78e4d9ed247', 'xrnycg'],
    ['064df58cd3a51c50dbf30e975e63961a501212ff8e8ca544ab396727f4b8a367', 'kgiizq'],
    ['c8f7da1b5c44c1ca10da67c1514c4cf365e4d5912685b25a39206d5c8c1966a1', 'dj9zqq'],
    ['222d42333592ea87823fd2e7868d59fb0aded20603f433319691918299513cb6', 'futp4w'],
    ['757d64eb242a91b494ec9e2661a7946410d68144d33860d6f4154092d65d5009', 'wetlpg'],
    ['3c7348d43478292b4c4e0689d41a536fc8ccabdbd9fb9d0dfbe757a83d34cebe', 'avxagg'],
    ['6896fac1546c201d4dc91d2c51bdcd9c820fe92fd0555947e59fdc89ca6f045d', 'wbaj3w'],
    ['b4def322a4487dd90fcc4abd2f1efde0cdce81d8e0a580fd1897203ab4ebcebe', 'whojmw'],
    ['07d974124b92adafc90473a3968ceb5e8329d815e0e48260473d70a781adb8ae', 'aiqcea'],
    ['c67183a762e379290652cc26a786b21eff347643b1cc9012138f460901ce5d53', 'zfztpg'],
    ['430976db5adef67d0009aa3cd9a2daca106829b36a7232732c5d694e7197c6d1', 'evr7rq'],
    ['c1c8c0ff6933fa4e23fab5605139124b2c6cda0150a412daaea274818ee46e35', 'er0nxq'],
    ['0060c538b6ce02b8d8e2c85b4e2810c58b846f4096ed7ab871fc092c45ac09d9', 'zh9xgg'],
    ['4d4b99ff5d2a3d5cd076782c9cd088cd85d5c789d7de6bdc19c1d206b687d485', '2vvr5a'],
  ])('NM:80-107: the tag of %s is %s', (content, tag) => {
    expect(dltTag(content)).toBe(tag);
  });

  it('NM:66-77: the tag is a content hash, the same every time', () => {
    const content = LONG_PATH.repeat(20);
    expect(new Set(range(0, 20).map(() => dltTag(content))).size).toBe(1);
  });

  it.each([
    ['NM:115 only the tag fits', 'DLTHUB', 6, '123456'],
    ['NM:116', 'prefDLTHUBsuf', 6, '123456'],
    ['NM:118 the odd character goes to the head', 'DLT_HUB', 7, 'D123456'],
    ['NM:119', 'prefDLT_HUBsuf', 7, 'p123456'],
    ['NM:121 the tag in the middle', 'DLT_HUB_', 8, 'D123456_'],
    ['NM:122', 'prefDLT_HUB_suf', 8, 'p123456f'],
  ])('%s: %j in %d → %j', (_source, identifier, max, expected) => {
    expect(dltTrimAndTag(identifier, '123456', max)).toBe(expected);
  });

  it('NM:124-126: a tag longer than the limit is refused', () => {
    expect(() => dltTrimAndTag('xDLTHUBx', '123456', 5)).toThrow(RangeError);
  });

  it('NM:133-157: shorten_identifier leaves names within the limit, and tags longer ones from the raw name', () => {
    const long = LONG_PATH.repeat(8);
    expect(dltShortenIdentifier(long, long, undefined)).toBe(long);
    expect(dltShortenIdentifier('012345678', 'xxx012345678xxx', 10)).toBe('012345678');
    expect(dltShortenIdentifier('0123456789', 'xxx012345678xx?', 10)).toBe('0123456789');
    const shortened = dltShortenIdentifier(IDENT_20_CHARS, IDENT_20_CHARS, 20);
    expect(shortened).toContain(dltTag(IDENT_20_CHARS));
    expect(shortened).toHaveLength(20);
    expect(shortened).toBe('she plauanpualo well');
    // NM:151-157 draws random raw names; these two (the second with spaces, which count) were run through dlt's code.
    for (const [raw, expected] of [['0123456789abcdef', 'she plaaudcmalo well'], [' 0123456789abcdef ', 'she plafcgrfalo well']]) {
      const tagged = dltShortenIdentifier(IDENT_20_CHARS, raw, 20);
      expect(tagged).toContain(dltTag(raw));
      expect(tagged).toBe(expected);
    }
  });
});

describe('where Python and JavaScript read text differently, the port reads it as dlt does', () => {
  it.each([
    // Python's \d is any Unicode decimal digit: kept, and a leading one is prefixed.
    ['Arabic-Indic digit', '٣abc', '_٣abc'],
    ['mathematical digit, outside the BMP', '𝟎x', '_𝟎x'],
    ['other letters are not [a-zA-Z]', 'émail', '_mail'],
    // str.strip() trims \x1c-\x1f but not the BOM, unlike String.prototype.trim().
    ['ASCII separators are whitespace', 'a\x1cb\x1c', 'a_b'],
    ['the BOM is not whitespace', '\ufeffab', '_ab'],
  ])("%s: %j → %j (dlt's code)", (_what, input, expected) => {
    expect(dltSnakeCase(input)).toBe(expected);
  });

  it('lengths are counted in characters, as Python counts them, not UTF-16 units', () => {
    expect(dltSnakeCase('𝟎'.repeat(10), 8)).toBe('_adalmw𝟎'); // dlt's code
    const shortened = dltSnakeCase(`${'x'.repeat(70)}𝟎`, 64);
    expect(shortened).toBe(`${'x'.repeat(29)}ylrvaw${'x'.repeat(28)}𝟎`); // dlt's code
    expect(len(shortened)).toBe(64);
  });
});

describe("the column dlt makes from a source key (relational.py:171, normalize_path)", () => {
  it.each([
    ['a blank key', '   ', '_empty'],
    ['an empty key', '', '_empty'],
    ['only separators', '____', ''],
    ['nested-looking names keep __', 'a__b', 'a__b'],
  ])("%s: %j → %j (dlt's code)", (_what, input, expected) => {
    expect(dltSnakeCase(input)).toBe(expected);
  });
});

describe("dlt's length limit per destination, and the long names it shortens", () => {
  it('is the lesser of max_identifier_length and max_column_identifier_length in dlt 1.26', () => {
    expect(postgres.dltMaxNameLength).toBe(63); // dlt/destinations/impl/postgres/factory.py:171-172
    expect(postgresWithoutMerge.dltMaxNameLength).toBe(63);
    expect(mysql.dltMaxNameLength).toBe(64); // dlt/destinations/impl/sqlalchemy/dialect.py:179-180 (MySQL/MariaDB)
    expect(duckdb.dltMaxNameLength).toBe(65_536); // dlt/destinations/impl/duckdb/factory.py:166-167
  });

  // A 63-character CamelCase name fits PostgreSQL and MariaDB, but its snake_case is 74 characters long.
  const legacy = 'CustomerLifetimeValueAfterDiscountsAndReturnsInEuroCentsInclVat';
  it.each([
    ['postgres', postgres.dltMaxNameLength, 'customer_lifetime_value_afterryircwturns_in_euro_cents_incl_vat'],
    ['mysql', mysql.dltMaxNameLength, 'customer_lifetime_value_afterryircweturns_in_euro_cents_incl_vat'],
    ['duckdb', duckdb.dltMaxNameLength, 'customer_lifetime_value_after_discounts_and_returns_in_euro_cents_incl_vat'],
  ])("on %s (limit %d), dlt names it %s (dlt's code)", (_engine, max, expected) => {
    expect(len(legacy)).toBe(63);
    expect(dltSnakeCase(legacy, max)).toBe(expected);
    expect(len(expected)).toBe(Math.min(max, 74));
  });
});
