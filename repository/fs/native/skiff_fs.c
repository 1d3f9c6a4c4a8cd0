/*
 * skiff_fs: the few Linux file-system calls Node.js does not expose.
 *
 * Only Node-API (node_api.h) is used, so one binary built against any
 * Node >= 18 headers loads in every later Node. All calls are synchronous:
 * each is a single metadata syscall. Errors are thrown as Error objects with
 * `code` (errno name, e.g. "ENOTSUP"), `errno`, `syscall` and `path`.
 *
 *   utimensat(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec, noFollow)
 *   llistxattr(path) -> Buffer[]
 *   lgetxattr(path, name) -> Buffer
 *   lsetxattr(path, name, value)
 *   mkfifo(path, mode)
 *   mknod(path, mode, dev)
 *
 * `path` and `name` may be strings (UTF-8) or Buffers (raw bytes). Seconds and
 * `dev` may be numbers or BigInts.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>

#define MAX_ARGS 6

/* Returns NULL with a pending exception when a Node-API call failed. */
#define CHECK(env, call)                                                  \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      throw_status(env, #call);                                           \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

static void throw_status(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "EINVAL", what);
}

static void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  const char *name = strerrorname_np(err);
  char msg[1024];
  if (name == NULL) name = "EUNKNOWN";
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", name, strerror(err), syscall, path ? path : "");
  napi_value code, message, error, errnum, sc, p;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message) != napi_ok ||
      napi_create_error(env, code, message, &error) != napi_ok) {
    throw_status(env, syscall);
    return;
  }
  napi_create_int32(env, -err, &errnum);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, error, "code", code);
  napi_set_named_property(env, error, "errno", errnum);
  napi_set_named_property(env, error, "syscall", sc);
  if (path && napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &p) == napi_ok) {
    napi_set_named_property(env, error, "path", p);
  }
  napi_throw(env, error);
}

static napi_value get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = MAX_ARGS;
  napi_value self;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < want) {
    napi_throw_type_error(env, "EINVAL", "too few arguments");
    return NULL;
  }
  return self;
}

/* A NUL-terminated malloc'd copy of a string or Buffer argument; NULL on error (exception set). */
static char *get_bytes(napi_env env, napi_value v, const char *what) {
  bool is_buffer = false;
  napi_valuetype t;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok) return NULL;
  if (is_buffer) {
    void *data;
    size_t len;
    if (napi_get_buffer_info(env, v, &data, &len) != napi_ok) return NULL;
    if (memchr(data, 0, len) != NULL) {
      napi_throw_type_error(env, "EINVAL", what);
      return NULL;
    }
    char *out = malloc(len + 1);
    if (out == NULL) { napi_throw_error(env, "ENOMEM", "out of memory"); return NULL; }
    memcpy(out, data, len);
    out[len] = 0;
    return out;
  }
  if (napi_typeof(env, v, &t) != napi_ok) return NULL;
  if (t != napi_string) {
    napi_throw_type_error(env, "EINVAL", what);
    return NULL;
  }
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *out = malloc(len + 1);
  if (out == NULL) { napi_throw_error(env, "ENOMEM", "out of memory"); return NULL; }
  if (napi_get_value_string_utf8(env, v, out, len + 1, &len) != napi_ok) { free(out); return NULL; }
  if (strlen(out) != len) {
    free(out);
    napi_throw_type_error(env, "EINVAL", what);
    return NULL;
  }
  return out;
}

/* Reads a number or BigInt as int64. Returns false with an exception set on error. */
static bool get_int64(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_bigint) {
    bool lossless;
    if (napi_get_value_bigint_int64(env, v, out, &lossless) != napi_ok) return false;
    if (!lossless) { napi_throw_range_error(env, "EINVAL", "integer out of range"); return false; }
    return true;
  }
  if (t == napi_number) return napi_get_value_int64(env, v, out) == napi_ok;
  napi_throw_type_error(env, "EINVAL", "expected a number or bigint");
  return false;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value js_utimensat(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  if (get_args(env, info, 6, argv) == NULL) return NULL;
  int64_t as, an, ms, mn;
  bool no_follow;
  if (!get_int64(env, argv[1], &as) || !get_int64(env, argv[2], &an) ||
      !get_int64(env, argv[3], &ms) || !get_int64(env, argv[4], &mn)) return NULL;
  CHECK(env, napi_get_value_bool(env, argv[5], &no_follow));
  if (an < 0 || an > 999999999 || mn < 0 || mn > 999999999) {
    napi_throw_range_error(env, "EINVAL", "nanoseconds out of range");
    return NULL;
  }
  char *path = get_bytes(env, argv[0], "invalid path");
  if (path == NULL) return NULL;
  struct timespec ts[2] = {{.tv_sec = as, .tv_nsec = an}, {.tv_sec = ms, .tv_nsec = mn}};
  int rc = utimensat(AT_FDCWD, path, ts, no_follow ? AT_SYMLINK_NOFOLLOW : 0);
  if (rc != 0) throw_errno(env, errno, "utimensat", path);
  free(path);
  return rc == 0 ? undefined(env) : NULL;
}

static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  char *path = get_bytes(env, argv[0], "invalid path");
  if (path == NULL) return NULL;
  char *buf = NULL;
  ssize_t n;
  for (;;) {
    n = llistxattr(path, NULL, 0);
    if (n <= 0) break;
    char *nb = realloc(buf, (size_t)n);
    if (nb == NULL) { free(buf); free(path); napi_throw_error(env, "ENOMEM", "out of memory"); return NULL; }
    buf = nb;
    ssize_t got = llistxattr(path, buf, (size_t)n);
    if (got >= 0) { n = got; break; }
    if (errno != ERANGE) { n = -1; break; }
  }
  if (n < 0) {
    throw_errno(env, errno, "llistxattr", path);
    free(buf);
    free(path);
    return NULL;
  }
  free(path);
  napi_value result;
  uint32_t count = 0;
  if (napi_create_array(env, &result) != napi_ok) { free(buf); throw_status(env, "array"); return NULL; }
  for (ssize_t i = 0; i < n;) {
    size_t len = strnlen(buf + i, (size_t)(n - i));
    napi_value name;
    if (napi_create_buffer_copy(env, len, buf + i, NULL, &name) != napi_ok ||
        napi_set_element(env, result, count++, name) != napi_ok) {
      free(buf);
      throw_status(env, "buffer");
      return NULL;
    }
    i += (ssize_t)len + 1;
  }
  free(buf);
  return result;
}

static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  if (get_args(env, info, 2, argv) == NULL) return NULL;
  char *path = get_bytes(env, argv[0], "invalid path");
  if (path == NULL) return NULL;
  char *name = get_bytes(env, argv[1], "invalid xattr name");
  if (name == NULL) { free(path); return NULL; }
  char *buf = NULL;
  ssize_t n;
  for (;;) {
    n = lgetxattr(path, name, NULL, 0);
    if (n <= 0) break;
    char *nb = realloc(buf, (size_t)n);
    if (nb == NULL) { n = -1; errno = ENOMEM; break; }
    buf = nb;
    ssize_t got = lgetxattr(path, name, buf, (size_t)n);
    if (got >= 0) { n = got; break; }
    if (errno != ERANGE) { n = -1; break; }
  }
  napi_value result = NULL;
  if (n < 0) {
    throw_errno(env, errno, "lgetxattr", path);
  } else if (napi_create_buffer_copy(env, (size_t)n, buf ? buf : "", NULL, &result) != napi_ok) {
    throw_status(env, "buffer");
    result = NULL;
  }
  free(buf);
  free(name);
  free(path);
  return result;
}

static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  if (get_args(env, info, 3, argv) == NULL) return NULL;
  bool is_buffer = false;
  void *data;
  size_t len;
  CHECK(env, napi_is_buffer(env, argv[2], &is_buffer));
  if (!is_buffer) { napi_throw_type_error(env, "EINVAL", "xattr value must be a Buffer"); return NULL; }
  CHECK(env, napi_get_buffer_info(env, argv[2], &data, &len));
  char *path = get_bytes(env, argv[0], "invalid path");
  if (path == NULL) return NULL;
  char *name = get_bytes(env, argv[1], "invalid xattr name");
  if (name == NULL) { free(path); return NULL; }
  int rc = lsetxattr(path, name, len ? data : "", len, 0);
  if (rc != 0) throw_errno(env, errno, "lsetxattr", path);
  free(name);
  free(path);
  return rc == 0 ? undefined(env) : NULL;
}

static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  if (get_args(env, info, 2, argv) == NULL) return NULL;
  uint32_t mode;
  CHECK(env, napi_get_value_uint32(env, argv[1], &mode));
  char *path = get_bytes(env, argv[0], "invalid path");
  if (path == NULL) return NULL;
  int rc = mkfifo(path, (mode_t)mode);
  if (rc != 0) throw_errno(env, errno, "mkfifo", path);
  free(path);
  return rc == 0 ? undefined(env) : NULL;
}

static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  if (get_args(env, info, 3, argv) == NULL) return NULL;
  uint32_t mode;
  int64_t dev;
  CHECK(env, napi_get_value_uint32(env, argv[1], &mode));
  if (!get_int64(env, argv[2], &dev)) return NULL;
  char *path = get_bytes(env, argv[0], "invalid path");
  if (path == NULL) return NULL;
  int rc = mknod(path, (mode_t)mode, (dev_t)dev);
  if (rc != 0) throw_errno(env, errno, "mknod", path);
  free(path);
  return rc == 0 ? undefined(env) : NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"utimensat", NULL, js_utimensat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
