/*
 * mbim_oracle: batch differential oracle over libmbim-glib (own code).
 *
 * Used by mbim-proto/tests/libmbim_oracle.rs: our encoder produces messages,
 * libmbim judges them. Reads stdin line by line; each line is
 *
 *     <major>.<minor> <hex bytes of one whole MBIM message>
 *
 * where <major>.<minor> is the MBIMEx version whose layouts libmbim must use
 * to print the fields (1.0, 2.0 or 3.0). Writes exactly one line per input:
 *
 *     FAIL <error>                    mbim_message_validate() rejected it
 *     OK <verdict> <detail>           validated; <verdict> is the fields parse:
 *         ok           every field of the CID's layout was read
 *         error        a field could not be read ("<Field> = n/a: <reason>")
 *         unsupported  libmbim has no layout for this service/CID/type
 *         empty        libmbim's layout for it has no fields (empty query)
 *         headers      not a message type with fields (OPEN, CLOSE, ...)
 *     BADINPUT <why>                  the line is not valid input
 *
 * <detail> is the offending printable line for "error", the whole printable
 * (newlines as " | ") with -v, and empty otherwise. GLib criticals raised
 * while handling the message (libmbim printing a NULL string, say) are
 * appended as " !! critical: <text>" instead of going to stderr. One process handles many
 * messages so the test does not pay a process start per message.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libmbim-glib.h>

/* Criticals/warnings logged while handling the current message. */
static GString *criticals;

static void on_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    (void)level;
    (void)data;
    if (criticals->len)
        g_string_append(criticals, "; ");
    g_string_append_printf(criticals, "%s: %s", domain ? domain : "?", message);
}

/* End the output line for the current message. */
static void end_line(void)
{
    if (criticals->len) {
        fputs(" !! critical: ", stdout);
        fputs(criticals->str, stdout);
        g_string_truncate(criticals, 0);
    }
    putchar('\n');
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Print s on one line: newlines become " | ". */
static void print_flat(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            if (s[1])
                fputs(" | ", stdout);
        } else
            putchar(*s);
    }
}

/* The line of the printable that holds a field read failure, or NULL. */
static const char *find_na(const char *printable, size_t *len)
{
    const char *p = strstr(printable, "= n/a");
    const char *start, *end;
    if (!p)
        return NULL;
    start = p;
    while (start > printable && start[-1] != '\n')
        start--;
    end = strchr(p, '\n');
    *len = end ? (size_t)(end - start) : strlen(start);
    return start;
}

/* The service of a COMMAND, COMMAND_DONE or INDICATE_STATUS. */
static MbimService service_of(const MbimMessage *msg, guint32 type)
{
    if (type == MBIM_MESSAGE_TYPE_COMMAND)
        return mbim_message_command_get_service(msg);
    if (type == MBIM_MESSAGE_TYPE_COMMAND_DONE)
        return mbim_message_command_done_get_service(msg);
    return mbim_message_indicate_status_get_service(msg);
}

static void handle(const char *line, int verbose)
{
    unsigned major = 0, minor = 0;
    int consumed = 0;
    GByteArray *bytes;
    const char *p;
    int hi = -1;
    MbimMessage *msg;
    GError *error = NULL;
    gchar *printable;
    guint32 type;

    if (sscanf(line, "%u.%u %n", &major, &minor, &consumed) < 2 || consumed == 0) {
        puts("BADINPUT expected '<major>.<minor> <hex>'");
        return;
    }
    bytes = g_byte_array_new();
    for (p = line + consumed; *p; p++) {
        int v;
        if (isspace((unsigned char)*p) || *p == ':' || *p == ',')
            continue;
        v = hexval((unsigned char)*p);
        if (v < 0) {
            printf("BADINPUT non-hex character '%c'\n", *p);
            g_byte_array_unref(bytes);
            return;
        }
        if (hi < 0)
            hi = v;
        else {
            guint8 b = (guint8)(hi << 4 | v);
            g_byte_array_append(bytes, &b, 1);
            hi = -1;
        }
    }
    if (hi >= 0) {
        puts("BADINPUT odd number of hex digits");
        g_byte_array_unref(bytes);
        return;
    }

    msg = mbim_message_new(bytes->data, bytes->len);
    g_byte_array_unref(bytes);
    if (!mbim_message_validate(msg, &error)) {
        printf("FAIL %s:%d ", g_quark_to_string(error->domain), error->code);
        print_flat(error->message);
        end_line();
        g_clear_error(&error);
        mbim_message_unref(msg);
        return;
    }

    type = mbim_message_get_message_type(msg);
    if (type != MBIM_MESSAGE_TYPE_COMMAND && type != MBIM_MESSAGE_TYPE_COMMAND_DONE &&
        type != MBIM_MESSAGE_TYPE_INDICATE_STATUS) {
        fputs("OK headers", stdout);
        end_line();
        mbim_message_unref(msg);
        return;
    }

    printable = mbim_message_get_printable_full(msg, (guint8)major, (guint8)minor, "", FALSE, &error);
    if (!printable) {
        printf("BADINPUT printable: %s\n", error ? error->message : "(no error)");
        g_clear_error(&error);
        mbim_message_unref(msg);
        return;
    }

    {
        size_t na_len = 0;
        const char *na = find_na(printable, &na_len);
        if (na) {
            printf("OK error %.*s", (int)na_len, na);
        } else if (strstr(printable, "Unsupported message") ||
                   service_of(msg, type) == MBIM_SERVICE_INVALID) {
            fputs("OK unsupported", stdout);
        } else if (!strstr(printable, "Fields:")) {
            /* Known service and CID whose layout for this type has no fields. */
            fputs("OK empty", stdout);
        } else {
            fputs("OK ok", stdout);
        }
        if (verbose) {
            fputs(" :: ", stdout);
            print_flat(printable);
        }
        end_line();
    }
    g_free(printable);
    mbim_message_unref(msg);
}

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    /* Personal fields (IMSI, ICCID, numbers) printed as-is, not as '###'. */
    mbim_utils_set_show_personal_info(TRUE);
    criticals = g_string_new(NULL);
    g_log_set_handler("GLib", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING, on_log, NULL);
    g_log_set_handler("Mbim", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING, on_log, NULL);
    g_log_set_handler("libmbim-glib", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING, on_log, NULL);
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        handle(line, verbose);
        fflush(stdout);
    }
    free(line);
    return 0;
}
