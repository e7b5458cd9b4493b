// SPDX-License-Identifier: MIT
/*
 * kcore-sign: makes and checks signed kcore images, manages their keys, and
 * turns the trusted public keys into the C table built into kcore.
 * See docs/image-format.md for the format, the key files and the build.
 *
 * Exit status: 0 success, 1 failure (bad input, bad image), 2 wrong usage.
 * Every error is one line on stderr starting with "kcore-sign: ", so scripts
 * and make output show the reason and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/imgsign.h"
#include "lib/toolmsg.h"

#define PROG "kcore-sign"

#define EXIT_OK	   0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define PRIV_HEADER "kcore-p256-private v1"
#define PUB_HEADER  "kcore-p256-public v1"

#define USAGE_KEYGEN	  "kcore-sign keygen PREFIX"
#define USAGE_SIGN	  "kcore-sign sign --key PREFIX.priv [--force] IN OUT"
#define USAGE_VERIFY	  "kcore-sign verify --pub FILE [--pub FILE...] IN"
#define USAGE_FINGERPRINT "kcore-sign fingerprint FILE.pub"
#define USAGE_IS_SIGNED	  "kcore-sign is-signed IN"
#define USAGE_EMBED	  "kcore-sign embed-keys FILE.pub..."

/* The public keys of one or more .pub files, in file order. */
struct keyset {
	struct kcore_trusted_key *keys;
	size_t nr;
	size_t cap;
};

#define errmsg(...) tool_errmsg(PROG, __VA_ARGS__)

static int usage(const char *line)
{
	errmsg("usage: %s", line);
	return EXIT_USAGE;
}

static void print_help(void)
{
	printf("usage: " USAGE_KEYGEN "\n"
	       "       " USAGE_SIGN "\n"
	       "       " USAGE_VERIFY "\n"
	       "       " USAGE_FINGERPRINT "\n"
	       "       " USAGE_IS_SIGNED "\n"
	       "       " USAGE_EMBED "\n"
	       "\n"
	       "Signs kcore VM images and checks them; see docs/image-format.md.\n"
	       "Exit status: 0 success, 1 failure, 2 wrong usage.\n");
}

static void hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2 * len hex digits, nothing else; 0 on success. */
static int hex_decode(uint8_t *out, size_t len, const char *in, size_t in_len)
{
	if (in_len != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int hi = hex_digit(in[2 * i]);
		int lo = hex_digit(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/*
 * Reads a whole file. The buffer is never NULL on success, even for an empty
 * file, so callers need no special case; free it with free().
 */
static int read_file(const char *path, uint8_t **buf, size_t *size)
{
	FILE *f;
	uint8_t *data;
	size_t len = 0;
	size_t cap = 65536;

	*buf = NULL;
	*size = 0;
	f = fopen(path, "rb");
	if (!f) {
		errmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	/* Unbuffered: no copy of a private key stays behind in a stdio buffer. */
	setvbuf(f, NULL, _IONBF, 0);
	data = malloc(cap);
	if (!data)
		goto nomem;
	for (;;) {
		uint8_t *p;

		len += fread(data + len, 1, cap - len, f);
		/* fread() stops short only at end of file or on an error. */
		if (len < cap)
			break;
		if (cap > SIZE_MAX / 2)
			goto nomem;
		p = realloc(data, cap * 2);
		if (!p)
			goto nomem;
		data = p;
		cap *= 2;
	}
	if (ferror(f)) {
		errmsg("%s: read error", path);
		goto fail;
	}
	fclose(f);
	*buf = data;
	*size = len;
	return 0;

nomem:
	errmsg("%s: out of memory", path);
fail:
	free(data);
	fclose(f);
	return -1;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Writes through a temporary file and rename(), so OUT is either the old file
 * or the complete new one: a half-written image must never be mistaken for a
 * signed one.
 */
static int write_file_atomic(const char *path, const void *buf, size_t len)
{
	size_t tmp_len = strlen(path) + 32;
	char *tmp = malloc(tmp_len);
	int fd;
	int ret = -1;

	if (!tmp) {
		errmsg("%s: out of memory", path);
		return -1;
	}
	snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		errmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, buf, len) != 0) {
		errmsg("%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0) {
		errmsg("%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		errmsg("%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

/*
 * Iterates over the lines of a key file after its header, skipping blank
 * lines and '#' comments. Lines end in "\n" or "\r\n"; the last may lack it.
 */
struct line_iter {
	const char *p;
	const char *end;
	unsigned int lineno;
};

static int next_line(struct line_iter *it, const char **line, size_t *len)
{
	while (it->p < it->end) {
		const char *start = it->p;
		const char *nl = memchr(start, '\n', (size_t)(it->end - start));
		const char *stop = nl ? nl : it->end;

		it->p = nl ? nl + 1 : it->end;
		it->lineno++;
		if (stop > start && stop[-1] == '\r')
			stop--;
		if (stop == start || start[0] == '#')
			continue;
		*line = start;
		*len = (size_t)(stop - start);
		return 1;
	}
	return 0;
}

/* Checks the header line; on success the iterator is positioned after it. */
static int open_key_text(struct line_iter *it, const char *path, const uint8_t *data, size_t size,
			 const char *header)
{
	const char *line;
	size_t len;

	it->p = (const char *)data;
	it->end = it->p + size;
	it->lineno = 0;
	/* The header must be the very first line: no comments before it. */
	if (!next_line(it, &line, &len) || it->lineno != 1 || len != strlen(header) ||
	    memcmp(line, header, len) != 0) {
		errmsg("%s: not a key file: first line must be '%s'", path, header);
		return -1;
	}
	return 0;
}

static int keyset_add(struct keyset *ks, const struct kcore_trusted_key *tk, const char *path,
		      unsigned int lineno)
{
	for (size_t i = 0; i < ks->nr; i++) {
		if (memcmp(ks->keys[i].key_id, tk->key_id, sizeof(tk->key_id)) == 0) {
			errmsg("%s:%u: duplicate key", path, lineno);
			return -1;
		}
	}
	if (ks->nr == ks->cap) {
		size_t new_cap = ks->cap ? ks->cap * 2 : 4;
		struct kcore_trusted_key *p = realloc(ks->keys, new_cap * sizeof(*p));

		if (!p) {
			errmsg("%s: out of memory", path);
			return -1;
		}
		ks->keys = p;
		ks->cap = new_cap;
	}
	ks->keys[ks->nr++] = *tk;
	return 0;
}

static void keyset_free(struct keyset *ks)
{
	free(ks->keys);
	ks->keys = NULL;
	ks->nr = 0;
	ks->cap = 0;
}

/* Adds every key of a .pub file; a file with no key is an error. */
static int keyset_load(struct keyset *ks, const char *path)
{
	uint8_t *data;
	size_t size;
	struct line_iter it;
	const char *line;
	size_t len;
	size_t found = 0;
	int ret = -1;

	if (read_file(path, &data, &size) != 0)
		return -1;
	if (open_key_text(&it, path, data, size, PUB_HEADER) != 0)
		goto out;
	while (next_line(&it, &line, &len)) {
		uint8_t pub[KCORE_P256_PUB_SIZE];
		struct kcore_trusted_key tk;

		if (hex_decode(pub, sizeof(pub), line, len) != 0) {
			errmsg("%s:%u: expected %u hex digits of a public key", path, it.lineno,
			       2 * KCORE_P256_PUB_SIZE);
			goto out;
		}
		if (imgsign_trusted_key_from_pub(&tk, pub) != IMGSIGN_OK) {
			errmsg("%s:%u: not a P-256 public key (uncompressed point on the curve)",
			       path, it.lineno);
			goto out;
		}
		if (keyset_add(ks, &tk, path, it.lineno) != 0)
			goto out;
		found++;
	}
	if (found == 0) {
		errmsg("%s: no public key in file", path);
		goto out;
	}
	ret = 0;
out:
	free(data);
	return ret;
}

static int load_private_key(struct imgsign_key *key, const char *path)
{
	uint8_t *data;
	size_t size;
	struct line_iter it;
	const char *line;
	size_t len;
	uint8_t priv[KCORE_P256_PRIV_SIZE];
	int ret = -1;

	if (read_file(path, &data, &size) != 0)
		return -1;
	if (open_key_text(&it, path, data, size, PRIV_HEADER) != 0)
		goto out;
	if (!next_line(&it, &line, &len)) {
		errmsg("%s: no private key in file", path);
		goto out;
	}
	if (hex_decode(priv, sizeof(priv), line, len) != 0) {
		errmsg("%s:%u: expected %u hex digits of a private key", path, it.lineno,
		       2 * KCORE_P256_PRIV_SIZE);
		goto out;
	}
	if (next_line(&it, &line, &len)) {
		errmsg("%s:%u: a private key file holds exactly one key", path, it.lineno);
		goto out;
	}
	if (imgsign_key_from_priv(key, priv) != IMGSIGN_OK) {
		errmsg("%s: private key out of range for P-256", path);
		goto out;
	}
	ret = 0;
out:
	explicit_bzero(priv, sizeof(priv));
	explicit_bzero(data, size);
	free(data);
	return ret;
}

static int write_key_text(int fd, const char *path, const char *header, const uint8_t *bytes,
			  size_t len)
{
	/* Room for either header, the longer key in hex and two newlines. */
	char text[256];
	size_t hlen = strlen(header);
	int ret = 0;

	if (hlen + 2 * len + 2 > sizeof(text))
		abort();
	memcpy(text, header, hlen);
	text[hlen] = '\n';
	hex_encode(text + hlen + 1, bytes, len);
	text[hlen + 1 + 2 * len] = '\n';
	if (write_all(fd, text, hlen + 2 * len + 2) != 0) {
		errmsg("%s: %s", path, strerror(errno));
		ret = -1;
	}
	explicit_bzero(text, sizeof(text));
	return ret;
}

static const char *create_error(int err)
{
	return err == EEXIST ? "already exists (keygen never overwrites a key)" : strerror(err);
}

static int cmd_keygen(int argc, char **argv)
{
	struct imgsign_key key;
	char *priv_path = NULL;
	char *pub_path = NULL;
	char fp[2 * KCORE_IMG_KEYID_SIZE + 1];
	int priv_fd = -1;
	int pub_fd = -1;
	int pub_created = 0;
	size_t len;
	int ret = EXIT_FAIL;
	enum imgsign_err err;

	if (argc != 2 || argv[1][0] == '-' || argv[1][0] == '\0')
		return usage(USAGE_KEYGEN);

	len = strlen(argv[1]) + sizeof(".priv");
	priv_path = malloc(len);
	pub_path = malloc(len);
	if (!priv_path || !pub_path) {
		errmsg("out of memory");
		goto out;
	}
	snprintf(priv_path, len, "%s.priv", argv[1]);
	snprintf(pub_path, len, "%s.pub", argv[1]);

	err = imgsign_key_generate(&key);
	if (err != IMGSIGN_OK) {
		errmsg("cannot generate a key: %s", imgsign_strerror(err));
		goto out;
	}

	/* O_EXCL: an existing key may be the only copy of a release key. */
	priv_fd = open(priv_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (priv_fd < 0) {
		errmsg("%s: %s", priv_path, create_error(errno));
		goto out_wipe;
	}
	pub_fd = open(pub_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (pub_fd < 0) {
		errmsg("%s: %s", pub_path, create_error(errno));
		goto out_close;
	}
	pub_created = 1;
	/* The umask may only have narrowed 0600; make sure it is exactly that. */
	if (fchmod(priv_fd, 0600) != 0) {
		errmsg("%s: %s", priv_path, strerror(errno));
		goto out_close;
	}
	if (write_key_text(priv_fd, priv_path, PRIV_HEADER, key.priv, sizeof(key.priv)) != 0 ||
	    write_key_text(pub_fd, pub_path, PUB_HEADER, key.pub, sizeof(key.pub)) != 0)
		goto out_close;
	if (close(priv_fd) != 0) {
		priv_fd = -1;
		errmsg("%s: %s", priv_path, strerror(errno));
		goto out_close;
	}
	priv_fd = -1;
	if (close(pub_fd) != 0) {
		pub_fd = -1;
		errmsg("%s: %s", pub_path, strerror(errno));
		goto out_close;
	}

	hex_encode(fp, key.key_id, sizeof(key.key_id));
	printf("wrote %s and %s, key %s\n", priv_path, pub_path, fp);
	ret = EXIT_OK;
	goto out_wipe;

out_close:
	if (priv_fd >= 0)
		close(priv_fd);
	if (pub_fd >= 0)
		close(pub_fd);
	/* Both files were created by this call (O_EXCL): a failed keygen leaves none. */
	unlink(priv_path);
	if (pub_created)
		unlink(pub_path);
out_wipe:
	imgsign_key_wipe(&key);
out:
	free(priv_path);
	free(pub_path);
	return ret;
}

static int cmd_sign(int argc, char **argv)
{
	const char *key_path = NULL;
	const char *in_path = NULL;
	const char *out_path = NULL;
	int force = 0;
	struct imgsign_key key;
	uint8_t *payload = NULL;
	size_t payload_size;
	uint8_t *img = NULL;
	size_t img_size;
	char fp[2 * KCORE_IMG_KEYID_SIZE + 1];
	int ret = EXIT_FAIL;
	enum imgsign_err err;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc && !key_path) {
			key_path = argv[++i];
		} else if (strcmp(argv[i], "--force") == 0) {
			force = 1;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage(USAGE_SIGN);
		} else {
			break;
		}
	}
	if (!key_path || argc - i != 2)
		return usage(USAGE_SIGN);
	in_path = argv[i];
	out_path = argv[i + 1];

	if (load_private_key(&key, key_path) != 0)
		return EXIT_FAIL;
	if (read_file(in_path, &payload, &payload_size) != 0)
		goto out;
	if (payload_size == 0) {
		errmsg("%s: empty input: nothing to sign", in_path);
		goto out;
	}
	/*
	 * Signing a signed image again nests the old trailer inside the payload,
	 * which is never what anyone meant, so only the magic is checked here: a
	 * damaged trailer is still a trailer.
	 */
	if (!force && payload_size >= KCORE_IMG_TRAILER_SIZE &&
	    memcmp(payload + payload_size - KCORE_IMG_TRAILER_SIZE, KCORE_IMG_MAGIC,
		   strlen(KCORE_IMG_MAGIC)) == 0) {
		errmsg("%s: already ends with a signature trailer (--force signs it again)",
		       in_path);
		goto out;
	}
	img_size = imgsign_signed_size(payload_size);
	img = img_size ? malloc(img_size) : NULL;
	if (!img) {
		errmsg("%s: out of memory", in_path);
		goto out;
	}
	err = imgsign_sign(&key, payload, payload_size, img, img_size);
	if (err != IMGSIGN_OK) {
		errmsg("%s: cannot sign: %s", in_path, imgsign_strerror(err));
		goto out;
	}
	if (write_file_atomic(out_path, img, img_size) != 0)
		goto out;
	hex_encode(fp, key.key_id, sizeof(key.key_id));
	printf("signed %s -> %s, key %s\n", in_path, out_path, fp);
	ret = EXIT_OK;
out:
	imgsign_key_wipe(&key);
	free(payload);
	free(img);
	return ret;
}

static int cmd_verify(int argc, char **argv)
{
	struct keyset ks = {0};
	const char *in_path;
	uint8_t *img = NULL;
	size_t img_size;
	size_t idx = 0;
	char fp[2 * KCORE_IMG_KEYID_SIZE + 1];
	int ret = EXIT_FAIL;
	enum imgsign_err err;
	int nr_pub = 0;
	int i;

	/* Collect the option arguments first: usage errors must not depend on file contents. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pub") == 0 && i + 1 < argc) {
			nr_pub++;
			i++;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage(USAGE_VERIFY);
		} else {
			break;
		}
	}
	if (nr_pub == 0 || argc - i != 1)
		return usage(USAGE_VERIFY);
	in_path = argv[i];

	for (int j = 1; j < i; j++) {
		if (strcmp(argv[j], "--pub") == 0) {
			if (keyset_load(&ks, argv[++j]) != 0)
				goto out;
		}
	}
	if (read_file(in_path, &img, &img_size) != 0)
		goto out;
	err = imgsign_verify(img, img_size, ks.keys, ks.nr, &idx);
	if (err != IMGSIGN_OK) {
		errmsg("%s: %s", in_path, imgsign_strerror(err));
		goto out;
	}
	hex_encode(fp, ks.keys[idx].key_id, sizeof(ks.keys[idx].key_id));
	printf("OK key %s\n", fp);
	ret = EXIT_OK;
out:
	free(img);
	keyset_free(&ks);
	return ret;
}

static int cmd_fingerprint(int argc, char **argv)
{
	struct keyset ks = {0};
	char fp[2 * KCORE_IMG_KEYID_SIZE + 1];

	if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
		return usage(USAGE_FINGERPRINT);
	if (keyset_load(&ks, argv[1]) != 0) {
		keyset_free(&ks);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < ks.nr; i++) {
		hex_encode(fp, ks.keys[i].key_id, sizeof(ks.keys[i].key_id));
		printf("%s\n", fp);
	}
	keyset_free(&ks);
	return EXIT_OK;
}

static int cmd_is_signed(int argc, char **argv)
{
	struct kcore_img_trailer tr;
	uint8_t *img;
	size_t img_size;
	char fp[2 * KCORE_IMG_KEYID_SIZE + 1];
	enum imgsign_err err;

	if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
		return usage(USAGE_IS_SIGNED);
	if (read_file(argv[1], &img, &img_size) != 0)
		return EXIT_FAIL;
	err = imgsign_check_trailer(img, img_size, &tr);
	free(img);
	if (err != IMGSIGN_OK) {
		errmsg("%s: not signed: %s", argv[1], imgsign_strerror(err));
		return EXIT_FAIL;
	}
	hex_encode(fp, tr.key_id, sizeof(tr.key_id));
	printf("signed: payload %llu bytes, key %s (signature not checked)\n",
	       (unsigned long long)tr.payload_size, fp);
	return EXIT_OK;
}

static void print_c_bytes(const char *name, const uint8_t *b, size_t len)
{
	printf("\t\t.%s = {", name);
	for (size_t i = 0; i < len; i++) {
		if (i % 12 == 0)
			printf("\n\t\t\t");
		else
			printf(" ");
		printf("0x%02x,", b[i]);
	}
	printf("\n\t\t},\n");
}

static int cmd_embed_keys(int argc, char **argv)
{
	struct keyset ks = {0};
	char fp[2 * KCORE_IMG_KEYID_SIZE + 1];
	int ret = EXIT_FAIL;

	if (argc < 2)
		return usage(USAGE_EMBED);
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage(USAGE_EMBED);
	}
	for (int i = 1; i < argc; i++) {
		if (keyset_load(&ks, argv[i]) != 0)
			goto out;
	}

	printf("/* Generated by kcore-sign embed-keys: do not edit. */\n"
	       "/*\n"
	       " * The public keys kcore trusts to sign VM images (docs/image-format.md).\n"
	       " * An image whose key_id is not listed here never runs.\n"
	       " */\n"
	       "#include <kcore/image.h>\n"
	       "\n"
	       "extern const struct kcore_trusted_key kcore_builtin_keys[];\n"
	       "extern const uint32_t kcore_builtin_nr_keys;\n"
	       "\n"
	       "const struct kcore_trusted_key kcore_builtin_keys[] = {\n");
	for (size_t i = 0; i < ks.nr; i++) {
		hex_encode(fp, ks.keys[i].key_id, sizeof(ks.keys[i].key_id));
		printf("\t{\n\t\t/* key %s */\n", fp);
		print_c_bytes("pub", ks.keys[i].pub, sizeof(ks.keys[i].pub));
		print_c_bytes("key_id", ks.keys[i].key_id, sizeof(ks.keys[i].key_id));
		printf("\t},\n");
	}
	printf("};\n\nconst uint32_t kcore_builtin_nr_keys = %zuu;\n", ks.nr);
	ret = EXIT_OK;
out:
	keyset_free(&ks);
	return ret;
}

/* The command's exit status, or -1 if there is no such command. */
static int run_command(int argc, char **argv)
{
	if (strcmp(argv[0], "keygen") == 0)
		return cmd_keygen(argc, argv);
	if (strcmp(argv[0], "sign") == 0)
		return cmd_sign(argc, argv);
	if (strcmp(argv[0], "verify") == 0)
		return cmd_verify(argc, argv);
	if (strcmp(argv[0], "fingerprint") == 0)
		return cmd_fingerprint(argc, argv);
	if (strcmp(argv[0], "is-signed") == 0)
		return cmd_is_signed(argc, argv);
	if (strcmp(argv[0], "embed-keys") == 0)
		return cmd_embed_keys(argc, argv);
	return -1;
}

int main(int argc, char **argv)
{
	int ret = -1;

	if (argc < 2) {
		errmsg("missing command (try '" PROG " help')");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		print_help();
		ret = EXIT_OK;
	}
	if (ret < 0)
		ret = run_command(argc - 1, argv + 1);
	if (ret < 0) {
		errmsg("unknown command '%s' (try '" PROG " help')", argv[1]);
		return EXIT_USAGE;
	}
	/* Output to a full disk or a closed pipe is a failure, not a success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		errmsg("error writing standard output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return ret;
}
