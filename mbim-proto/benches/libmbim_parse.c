/*
 * libmbim_parse: times libmbim-glib parsing MBIM messages (own code), the
 * reference point for mbim-proto/benches/codec.rs.
 *
 * stdin, one message per line:   <name> <iterations> <hex bytes>
 * stdout, one line per message:  <name> <ns per message>   or   <name> ERROR <why>
 *
 * One iteration is what a libmbim client does with a received buffer:
 * mbim_message_new() (copies the bytes), mbim_message_validate(), the
 * generated *_response_parse() for the CID with every output requested, then
 * freeing the outputs and the message. <name> selects the parser by prefix
 * (register_state, connect, ip_configuration, visible_providers, sms_read).
 * Each message is timed in 5 batches of <iterations>; the fastest batch is
 * reported (the least disturbed by other load on the machine).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <libmbim-glib.h>

typedef gboolean (*parse_fn)(const MbimMessage *msg, GError **error);

static gboolean parse_register_state(const MbimMessage *msg, GError **error)
{
    MbimNwError nw_error;
    MbimRegisterState state;
    MbimRegisterMode mode;
    MbimDataClass classes;
    MbimCellularClass cellular;
    MbimRegistrationFlag flag;
    gchar *id = NULL, *name = NULL, *roaming = NULL;
    gboolean ok = mbim_message_register_state_response_parse(
        msg, &nw_error, &state, &mode, &classes, &cellular, &id, &name, &roaming, &flag, error);
    g_free(id);
    g_free(name);
    g_free(roaming);
    return ok;
}

static gboolean parse_connect(const MbimMessage *msg, GError **error)
{
    guint32 session, nw_error;
    MbimActivationState activation;
    MbimVoiceCallState voice;
    MbimContextIpType ip_type;
    const MbimUuid *context_type;
    return mbim_message_connect_response_parse(msg, &session, &activation, &voice, &ip_type,
                                               &context_type, &nw_error, error);
}

static gboolean parse_ip_configuration(const MbimMessage *msg, GError **error)
{
    guint32 session, n4, n6, ndns4, ndns6, mtu4, mtu6;
    MbimIPConfigurationAvailableFlag avail4, avail6;
    MbimIPv4ElementArray *a4 = NULL;
    MbimIPv6ElementArray *a6 = NULL;
    const MbimIPv4 *gw4;
    const MbimIPv6 *gw6;
    MbimIPv4 *dns4 = NULL;
    MbimIPv6 *dns6 = NULL;
    gboolean ok = mbim_message_ip_configuration_response_parse(
        msg, &session, &avail4, &avail6, &n4, &a4, &n6, &a6, &gw4, &gw6, &ndns4, &dns4, &ndns6,
        &dns6, &mtu4, &mtu6, error);
    mbim_ipv4_element_array_free(a4);
    mbim_ipv6_element_array_free(a6);
    g_free(dns4);
    g_free(dns6);
    return ok;
}

static gboolean parse_visible_providers(const MbimMessage *msg, GError **error)
{
    guint32 n;
    MbimProviderArray *providers = NULL;
    gboolean ok = mbim_message_visible_providers_response_parse(msg, &n, &providers, error);
    mbim_provider_array_free(providers);
    return ok;
}

static gboolean parse_sms_read(const MbimMessage *msg, GError **error)
{
    MbimSmsFormat format;
    guint32 n;
    MbimSmsPduReadRecordArray *pdus = NULL;
    MbimSmsCdmaReadRecordArray *cdma = NULL;
    gboolean ok = mbim_message_sms_read_response_parse(msg, &format, &n, &pdus, &cdma, error);
    mbim_sms_pdu_read_record_array_free(pdus);
    mbim_sms_cdma_read_record_array_free(cdma);
    return ok;
}

static const struct {
    const char *prefix;
    parse_fn parse;
} parsers[] = {
    {"register_state", parse_register_state},
    {"connect", parse_connect},
    {"ip_configuration", parse_ip_configuration},
    {"visible_providers", parse_visible_providers},
    {"sms_read", parse_sms_read},
};

/* One client-side receive: copy in, validate, parse, free. */
static gboolean once(parse_fn parse, const guint8 *data, guint32 len, GError **error)
{
    MbimMessage *msg = mbim_message_new(data, len);
    gboolean ok = mbim_message_validate(msg, error) && parse(msg, error);
    mbim_message_unref(msg);
    return ok;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;

    while (getline(&line, &cap, stdin) >= 0) {
        char name[64];
        unsigned long iterations;
        int consumed = 0;
        parse_fn parse = NULL;
        GByteArray *bytes;
        GError *error = NULL;
        double best = -1;
        int hi = -1;
        const char *p;
        size_t i;

        if (sscanf(line, "%63s %lu %n", name, &iterations, &consumed) < 2 || consumed == 0)
            continue;
        for (i = 0; i < G_N_ELEMENTS(parsers); i++)
            if (g_str_has_prefix(name, parsers[i].prefix))
                parse = parsers[i].parse;
        if (!parse) {
            printf("%s ERROR no parser for this name\n", name);
            continue;
        }
        bytes = g_byte_array_new();
        for (p = line + consumed; *p; p++) {
            int v = hexval((unsigned char)*p);
            if (v < 0)
                continue;
            if (hi < 0)
                hi = v;
            else {
                guint8 b = (guint8)(hi << 4 | v);
                g_byte_array_append(bytes, &b, 1);
                hi = -1;
            }
        }
        /* Check once, untimed, that libmbim reads the message at all. */
        if (!once(parse, bytes->data, bytes->len, &error)) {
            printf("%s ERROR %s\n", name, error->message);
            g_clear_error(&error);
            g_byte_array_unref(bytes);
            continue;
        }
        for (int batch = 0; batch < 5; batch++) {
            double t0 = now_ns(), per;
            for (unsigned long n = 0; n < iterations; n++)
                once(parse, bytes->data, bytes->len, NULL);
            per = (now_ns() - t0) / (double)iterations;
            if (best < 0 || per < best)
                best = per;
        }
        printf("%s %.1f\n", name, best);
        fflush(stdout);
        g_byte_array_unref(bytes);
    }
    free(line);
    return 0;
}
