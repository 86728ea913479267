/* libc-heavy code (dynamically linked): qsort/bsearch, string and memory
 * functions, strtol/strtoul/strtod, printf/scanf formatting, strtok_r,
 * qsort on strings.  Expected strings were checked against a host glibc. */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include "rvtest.h"

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

#define CHECK_STR(what, got, want) do { const char *_g = (got); \
    rvt_checks++; if (strcmp(_g, (want)) == 0) printf("ok   %-36s \"%s\"\n", what, _g); \
    else { rvt_failures++; printf("FAIL %s: got \"%s\" want \"%s\"\n", what, _g, (want)); } } while (0)

int main(void)
{
    enum { N = 20000 };
    static int a[N];
    uint32_t s = 1;
    for (int i = 0; i < N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (int)(s >> 1) - (1 << 30);
    }
    qsort(a, N, sizeof(int), cmp_int);
    int sorted = 1;
    int64_t sum = 0;
    for (int i = 0; i < N; i++) {
        sorted &= i == 0 || a[i - 1] <= a[i];
        sum += a[i];
    }
    CHECK_TRUE("qsort 20000 ints sorted", sorted);
    CHECK("sum preserved", sum, -31252089792ll);
    int key = a[12345];
    int *hit = bsearch(&key, a, N, sizeof(int), cmp_int);
    CHECK_TRUE("bsearch finds element", hit && *hit == key);
    key = INT_MAX;
    CHECK_TRUE("bsearch misses absent key", bsearch(&key, a, N, sizeof(int), cmp_int) == NULL);

    const char *words[] = { "pear", "apple", "fig", "banana", "apricot", "cherry", "date",
                            "Zebra", "apple2", "" };
    char *w[10];
    for (int i = 0; i < 10; i++) {
        w[i] = strdup(words[i]);
    }
    qsort(w, 10, sizeof(char *), cmp_str);
    char joined[128] = "";
    for (int i = 0; i < 10; i++) {
        strcat(joined, w[i]);
        strcat(joined, ",");
        free(w[i]);
    }
    CHECK_STR("qsort strings", joined, ",Zebra,apple,apple2,apricot,banana,cherry,date,fig,pear,");

    char buf[256];
    CHECK("strlen", strlen("hello, world"), 12);
    CHECK_STR("strchr", strchr("a=b=c", '='), "=b=c");
    CHECK_STR("strrchr", strrchr("a=b=c", '='), "=c");
    CHECK_STR("strstr", strstr("the quick brown fox", "brown"), "brown fox");
    CHECK_TRUE("memmem", memmem("abcabcabd", 9, "abd", 3) != NULL);
    CHECK_TRUE("strcasecmp equal", strcasecmp("HeLLo", "hello") == 0);
    CHECK_TRUE("strncmp prefix", strncmp("abcdef", "abcxyz", 3) == 0);
    CHECK_TRUE("memcmp sign", memcmp("\x80", "\x01", 1) > 0);
    strcpy(buf, "0123456789");
    memmove(buf + 2, buf, 8);
    CHECK_STR("memmove overlap forward", buf, "0101234567");
    memmove(buf, buf + 3, 7);
    CHECK_STR("memmove overlap backward", buf, "1234567567");
    memset(buf, 'z', 5);
    buf[5] = 0;
    CHECK_STR("memset", buf, "zzzzz");
    for (char *p = strcpy(buf, "MiXeD cAsE 123"); *p; p++) {
        *p = (char)toupper((unsigned char)*p);
    }
    CHECK_STR("toupper", buf, "MIXED CASE 123");

    char tok[] = "alpha, beta;;gamma ,delta";
    char *save, *t;
    buf[0] = 0;
    for (t = strtok_r(tok, ",; ", &save); t; t = strtok_r(NULL, ",; ", &save)) {
        strcat(buf, t);
        strcat(buf, "|");
    }
    CHECK_STR("strtok_r", buf, "alpha|beta|gamma|delta|");

    char *end;
    CHECK("strtol hex", strtol("0x7fffABCD", &end, 16), 0x7fffabcd);
    CHECK("strtol base 0 octal", strtol("0755", NULL, 0), 0755);
    CHECK("strtol negative", strtol("  -12345xyz", &end, 10), -12345);
    CHECK_STR("strtol end pointer", end, "xyz");
    CHECK("strtoll LLONG_MIN", strtoll("-9223372036854775808", NULL, 10), LLONG_MIN);
    CHECK("strtoull max", strtoull("18446744073709551615", NULL, 10), ULLONG_MAX);
    CHECK("strtol base 36", strtol("zz", NULL, 36), 1295);
    CHECK("atoi", atoi("  42abc"), 42);
    union { double d; uint64_t u; } d;
    d.d = strtod("0.1", NULL);
    CHECK("strtod 0.1 bits", d.u, 0x3fb999999999999aull);
    d.d = strtod("1e-320", NULL);
    CHECK("strtod subnormal bits", d.u, 0x00000000000007e8ull);
    d.d = strtod("-inf", NULL);
    CHECK("strtod -inf bits", d.u, 0xfff0000000000000ull);
    d.d = strtod("0x1.8p3", NULL);
    CHECK("strtod hex float", d.u, 0x4028000000000000ull);

    snprintf(buf, sizeof(buf), "[%5d|%-5d|%05d|%+d|%x|%X|%#o|%lu|%lld]", 42, 42, 42, 42, 255, 255,
             8, 18446744073709551615ul, -9223372036854775807ll - 1);
    CHECK_STR("printf ints", buf, "[   42|42   |00042|+42|ff|FF|010|18446744073709551615|-9223372036854775808]");
    snprintf(buf, sizeof(buf), "[%.3f|%e|%g|%g|%a|%.0f|%10.4f]", 3.14159265, 12345.678, 0.0001,
             1e20, 1.0, 2.5, -1.5);
    CHECK_STR("printf floats", buf, "[3.142|1.234568e+04|0.0001|1e+20|0x1p+0|2|   -1.5000]");
    snprintf(buf, sizeof(buf), "[%s|%10s|%-10s|%.3s|%c|%%|%p]", "str", "right", "left", "truncate",
             'c', (void *)0);
    CHECK_STR("printf strings", buf, "[str|     right|left      |tru|c|%|(nil)]");
    CHECK("snprintf truncation return", snprintf(buf, (size_t)OPAQUE(5), "%s", "0123456789"), 10);
    CHECK_STR("snprintf truncated", buf, "0123");
    int i1, n2;
    char s1[16];
    float f1;
    CHECK("sscanf count", sscanf("17 word 2.5 rest", "%d %15s %f %n", &i1, s1, &f1, &n2), 3);
    CHECK("sscanf int", i1, 17);
    CHECK_STR("sscanf string", s1, "word");
    CHECK("sscanf float*2", (int)(f1 * 2), 5);
    CHECK("sscanf %n", n2, 12);
    char *dyn = NULL;
    CHECK("asprintf", asprintf(&dyn, "%s-%d", "dyn", 99), 6);
    CHECK_STR("asprintf result", dyn, "dyn-99");
    free(dyn);
    return rvt_done("libc_str");
}
