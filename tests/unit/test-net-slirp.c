/*
 * Unit tests for -netdev user (net/slirp.c, net/netdev.c) with a fake
 * card joined to it: frames built by hand go in under the big lock, as a
 * vCPU sends them, and slirp's answers are checked byte by byte.
 *
 * - ARP for the host address is answered at once (inside the send), for
 *   the default and for a net= of our choosing, and not for an address
 *   outside it;
 * - DHCPDISCOVER gets an offer of dhcpstart with the host as server and
 *   router, the dns address and the mask (defaults, and every option set);
 * - hostfwd: a host connection to the forwarded port makes slirp, in the
 *   GLib main loop, look for the guest (an ARP request for dhcpstart),
 *   delivered with the big lock held; freeing the back end closes the port;
 * - 3000 random frames (some behind ARP and IPv4 headers) do no harm;
 * - -nic's device spec.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "net/netdev.h"
#include "rove/bql.h"
#include "rove/net.h"

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

typedef struct Card {
    NetClient nc;
    GPtrArray *got;         /* GBytes * frames from slirp */
    bool lock_held;         /* the big lock was held for every frame */
} Card;

static void card_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    Card *c = nc->opaque;
    c->lock_held &= bql_locked();
    g_ptr_array_add(c->got, g_bytes_new(buf, len));
}

static const NetClientOps card_ops = { .kind = "test-card", .receive = card_receive };

static void card_init(Card *c, const char *netdev)
{
    memset(c, 0, sizeof(*c));
    c->nc.ops = &card_ops;
    c->nc.opaque = c;
    c->got = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    c->lock_held = true;
    GError *err = NULL;
    g_assert_true(net_backend_attach(&c->nc, netdev, &err));
    g_assert_no_error(err);
}

static void card_fini(Card *c)
{
    net_client_disconnect(&c->nc);
    g_ptr_array_unref(c->got);
}

/* As a vCPU sends: with the big lock. */
static void card_send(Card *c, const uint8_t *frame, size_t len)
{
    bql_lock();
    g_assert_true(net_client_send(&c->nc, frame, len));
    bql_unlock();
}

static void add(const char *spec)
{
    GError *err = NULL;
    g_assert_true(netdev_add(spec, NULL, &err));
    g_assert_no_error(err);
}

static uint32_t ip(const char *text)
{
    struct in_addr a;
    g_assert_cmpint(inet_pton(AF_INET, text, &a), ==, 1);
    return a.s_addr; /* network order */
}

/* ---- Frames ---- */

static void put_eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, guest_mac, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
}

static size_t arp_request(uint8_t *f, uint32_t sender_ip, uint32_t target_ip)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 }; /* Ethernet, IPv4, request */
    memset(f, 0, 60);
    put_eth(f, bcast, 0x0806);
    memcpy(f + 14, hdr, 8);
    memcpy(f + 22, guest_mac, 6);
    memcpy(f + 28, &sender_ip, 4);
    memcpy(f + 38, &target_ip, 4);
    return 60;
}

/* The ARP reply or request in frame b, or false. */
static bool parse_arp(GBytes *b, uint16_t *op, uint32_t *sender_ip, uint32_t *target_ip,
                      uint8_t sender_mac[6])
{
    gsize len;
    const uint8_t *f = g_bytes_get_data(b, &len);
    if (len < 42 || f[12] != 0x08 || f[13] != 0x06) {
        return false;
    }
    *op = (uint16_t)(f[20] << 8 | f[21]);
    memcpy(sender_mac, f + 22, 6);
    memcpy(sender_ip, f + 28, 4);
    memcpy(target_ip, f + 38, 4);
    return true;
}

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 2) {
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

enum { BOOTP_LEN = 548, DHCP_FRAME = 14 + 20 + 8 + BOOTP_LEN };

static size_t dhcp_discover(uint8_t *f)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    memset(f, 0, DHCP_FRAME);
    put_eth(f, bcast, 0x0800);
    uint8_t *iph = f + 14, *udp = iph + 20, *bootp = udp + 8;
    iph[0] = 0x45;
    iph[2] = (20 + 8 + BOOTP_LEN) >> 8;
    iph[3] = (uint8_t)(20 + 8 + BOOTP_LEN);
    iph[8] = 64;   /* TTL */
    iph[9] = 17;   /* UDP */
    memset(iph + 16, 0xff, 4); /* to 255.255.255.255 from 0.0.0.0 */
    uint16_t ck = ip_checksum(iph, 20);
    iph[10] = (uint8_t)(ck >> 8);
    iph[11] = (uint8_t)ck;
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = (8 + BOOTP_LEN) >> 8;
    udp[5] = (uint8_t)(8 + BOOTP_LEN); /* checksum 0: none */
    bootp[0] = 1;  /* BOOTREQUEST */
    bootp[1] = 1;
    bootp[2] = 6;
    memcpy(bootp + 4, "\x12\x34\x56\x78", 4); /* xid */
    memcpy(bootp + 28, guest_mac, 6);
    static const uint8_t opts[] = { 99, 130, 83, 99, 53, 1, 1, 255 };
    memcpy(bootp + 236, opts, sizeof(opts));
    return DHCP_FRAME;
}

typedef struct DhcpReply {
    uint8_t type;
    uint32_t yiaddr, server, router, dns, mask;
} DhcpReply;

static bool parse_dhcp(GBytes *b, DhcpReply *r)
{
    gsize len;
    const uint8_t *f = g_bytes_get_data(b, &len);
    if (len < 14 + 20 + 8 + 240 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 17) {
        return false;
    }
    size_t ihl = (size_t)(f[14] & 15) * 4;
    const uint8_t *udp = f + 14 + ihl, *bootp = udp + 8;
    if (udp[1] != 67 || udp[3] != 68 || memcmp(bootp + 4, "\x12\x34\x56\x78", 4) != 0) {
        return false;
    }
    memset(r, 0, sizeof(*r));
    memcpy(&r->yiaddr, bootp + 16, 4);
    for (const uint8_t *o = bootp + 240; o + 2 <= f + len && *o != 255;) {
        if (*o == 0) {
            o++;
            continue;
        }
        uint8_t code = o[0], olen = o[1];
        const uint8_t *v = o + 2;
        g_assert_true(v + olen <= f + len);
        uint32_t *dst = code == 54 ? &r->server : code == 3 ? &r->router : code == 6 ? &r->dns
                      : code == 1 ? &r->mask : NULL;
        if (code == 53 && olen == 1) {
            r->type = v[0];
        } else if (dst && olen >= 4) {
            memcpy(dst, v, 4);
        }
        o = v + olen;
    }
    return true;
}

/* ---- Tests ---- */

static void check_arp_answer(Card *c, uint32_t host, uint32_t guest)
{
    uint8_t f[60];
    card_send(c, f, arp_request(f, guest, host));
    g_assert_cmpuint(c->got->len, ==, 1); /* answered inside the send */
    uint16_t op = 0;
    uint32_t sip = 0, tip = 0;
    uint8_t smac[6];
    g_assert_true(parse_arp(c->got->pdata[0], &op, &sip, &tip, smac));
    g_assert_cmpuint(op, ==, 2);
    g_assert_cmphex(sip, ==, host);
    g_assert_cmphex(tip, ==, guest);
    g_assert_cmpmem(g_bytes_get_data(c->got->pdata[0], NULL), 6, guest_mac, 6);
    g_assert_true(c->lock_held);
}

static void test_arp(void)
{
    add("user,id=s0");
    Card c;
    card_init(&c, "s0");
    check_arp_answer(&c, ip("10.0.2.2"), ip("10.0.2.15"));
    card_fini(&c);
    net_backends_free();

    add("user,id=s1,net=192.168.76.0/24");
    card_init(&c, "s1");
    check_arp_answer(&c, ip("192.168.76.2"), ip("192.168.76.9"));
    /* Not the default host any more. */
    uint8_t f[60];
    card_send(&c, f, arp_request(f, ip("192.168.76.9"), ip("10.0.2.2")));
    g_assert_cmpuint(c.got->len, ==, 1);
    card_fini(&c);
    net_backends_free();
}

static void check_offer(const char *spec, const char *yiaddr, const char *host,
                        const char *dns, const char *mask)
{
    add(spec);
    Card c;
    card_init(&c, "d0");
    uint8_t f[DHCP_FRAME];
    card_send(&c, f, dhcp_discover(f));
    DhcpReply r;
    bool found = false;
    for (guint i = 0; i < c.got->len && !found; i++) {
        found = parse_dhcp(c.got->pdata[i], &r);
    }
    g_assert_true(found);
    g_assert_cmpuint(r.type, ==, 2); /* DHCPOFFER */
    g_assert_cmphex(r.yiaddr, ==, ip(yiaddr));
    g_assert_cmphex(r.server, ==, ip(host));
    g_assert_cmphex(r.router, ==, ip(host));
    g_assert_cmphex(r.dns, ==, ip(dns));
    g_assert_cmphex(r.mask, ==, ip(mask));
    g_assert_true(c.lock_held);
    card_fini(&c);
    net_backends_free();
}

static void test_dhcp(void)
{
    check_offer("user,id=d0", "10.0.2.15", "10.0.2.2", "10.0.2.3", "255.255.255.0");
    check_offer("user,id=d0,net=10.9.0.0/16,host=10.9.0.1,dns=10.9.0.53,dhcpstart=10.9.1.100",
                "10.9.1.100", "10.9.0.1", "10.9.0.53", "255.255.0.0");
    check_offer("user,id=d0,net=172.16.5.0/255.255.255.128", "172.16.5.15", "172.16.5.2",
                "172.16.5.3", "255.255.255.128");
}

static void test_hostfwd(void)
{
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t salen = sizeof(sa);
    g_assert_cmpint(bind(probe, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(getsockname(probe, (struct sockaddr *)&sa, &salen), ==, 0);
    close(probe); /* a free port, most likely still free below */

    char *spec = g_strdup_printf("user,id=f0,hostfwd=tcp:127.0.0.1:%u-:80", ntohs(sa.sin_port));
    add(spec);
    g_free(spec);
    Card c;
    card_init(&c, "f0");

    int s = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(connect(s, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    /* slirp accepts in the main loop and looks for 10.0.2.15 to pass the SYN on. */
    for (int i = 0; i < 1000 && c.got->len == 0; i++) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_cmpuint(c.got->len, >=, 1);
    uint16_t op = 0;
    uint32_t sip = 0, tip = 0;
    uint8_t smac[6];
    g_assert_true(parse_arp(c.got->pdata[0], &op, &sip, &tip, smac));
    g_assert_cmpuint(op, ==, 1);
    g_assert_cmphex(sip, ==, ip("10.0.2.2"));
    g_assert_cmphex(tip, ==, ip("10.0.2.15"));
    g_assert_true(c.lock_held);
    close(s);
    card_fini(&c);

    /* Freeing the back end closes the forwarded port. */
    net_backends_free();
    s = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(connect(s, (struct sockaddr *)&sa, sizeof(sa)), ==, -1);
    g_assert_cmpint(errno, ==, ECONNREFUSED);
    close(s);
}

static void test_garbage(void)
{
    /*
     * A hostile guest's frames: random bytes behind ARP and IPv4 headers,
     * any length.  restrict=on, so that nothing that happens to parse
     * leaves this host.
     */
    add("user,id=g0,restrict=on");
    Card c;
    card_init(&c, "g0");
    GRand *r = g_rand_new_with_seed(99);
    uint8_t f[2048];
    for (int i = 0; i < 3000; i++) {
        size_t len = (size_t)g_rand_int_range(r, 1, sizeof(f));
        for (size_t k = 0; k < len; k++) {
            f[k] = (uint8_t)g_rand_int(r);
        }
        if (len > 34 && i % 2) {
            f[12] = 0x08;
            f[13] = i % 4 == 1 ? 0x00 : 0x06;
            f[14] = i % 8 == 1 ? 0x45 : f[14];
        }
        card_send(&c, f, len);
    }
    g_rand_free(r);
    /* Still answers. */
    g_ptr_array_set_size(c.got, 0);
    check_arp_answer(&c, ip("10.0.2.2"), ip("10.0.2.15"));
    card_fini(&c);
    net_backends_free();
}

static void test_nic(void)
{
    GError *err = NULL;
    char *a = nic_add("user", NULL, &err);
    char *b = nic_add("user,model=virtio-net-device,mac=02:00:00:00:00:01,restrict=on", NULL,
                      &err);
    g_assert_no_error(err);
    g_assert_true(g_str_has_prefix(a, "virtio-net-device,netdev=__nic"));
    g_assert_true(g_str_has_suffix(b, ",mac=02:00:00:00:00:01"));
    g_assert_nonnull(net_backend_find(a + strlen("virtio-net-device,netdev=")));
    g_assert_null(nic_add("user,id=x", NULL, &err));
    g_assert_nonnull(strstr(err->message, "takes no id"));
    g_clear_error(&err);
    g_free(a);
    g_free(b);
    net_backends_free();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net-slirp/arp", test_arp);
    g_test_add_func("/net-slirp/dhcp", test_dhcp);
    g_test_add_func("/net-slirp/hostfwd", test_hostfwd);
    g_test_add_func("/net-slirp/garbage", test_garbage);
    g_test_add_func("/net-slirp/nic", test_nic);
    return g_test_run();
}
