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
 *   scandir(path) -> Promise<{ names, f, big }>  (see js_scandir)
 *
 * `path` and `name` may be strings (UTF-8) or Buffers (raw bytes). Seconds and
 * `dev` may be numbers or BigInts.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <dirent.h>
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

/* An Error like Node's fs errors (`code`, `errno`, `syscall`, `path`); NULL if even that failed. */
static napi_value errno_error(napi_env env, int err, const char *syscall, const char *path) {
  const char *name = strerrorname_np(err);
  char msg[1024];
  if (name == NULL) name = "EUNKNOWN";
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", name, strerror(err), syscall, path ? path : "");
  napi_value code, message, error, errnum, sc, p;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message) != napi_ok ||
      napi_create_error(env, code, message, &error) != napi_ok) {
    return NULL;
  }
  napi_create_int32(env, -err, &errnum);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, error, "code", code);
  napi_set_named_property(env, error, "errno", errnum);
  napi_set_named_property(env, error, "syscall", sc);
  if (path && napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &p) == napi_ok) {
    napi_set_named_property(env, error, "path", p);
  }
  return error;
}

static void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  napi_value error = errno_error(env, err, syscall, path);
  if (error == NULL) throw_status(env, syscall);
  else napi_throw(env, error);
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

/*
 * scandir(path): one directory's entries with their lstat, read on a libuv thread so the
 * walk's JavaScript keeps running meanwhile. Resolves with
 *   names: Buffer[]        entry names (no "." / ".."), sorted bytewise (Go's string order)
 *   f:     Float64Array    SCAN_F numbers per entry (layout below)
 *   big:   BigUint64Array  SCAN_B numbers per entry: ino, dev, rdev
 * An entry whose lstat failed has f[ERRNO] = errno and nothing else set; a directory that cannot
 * be opened or read rejects the promise with an fs-style Error.
 */
enum { F_MODE, F_UID, F_GID, F_NLINK, F_SIZE, F_MTIME_S, F_MTIME_NS, F_CTIME_S, F_CTIME_NS,
       F_ATIME_S, F_ATIME_NS, F_XATTR, F_ERRNO, SCAN_F };
enum { B_INO, B_DEV, B_RDEV, SCAN_B };

typedef struct {
  char *name;
  size_t len;
} scan_name;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *path;
  scan_name *names;
  size_t count;
  double *f;
  uint64_t *big;
  int err;              /* errno of opendir/readdir, 0 if the listing worked */
  const char *syscall;
} scan_job;

static int compare_names(const void *a, const void *b) {
  const scan_name *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->name, y->name, n);
  if (c != 0) return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

static void scan_execute(napi_env env, void *data) {
  scan_job *job = data;
  DIR *dir = opendir(job->path);
  if (dir == NULL) { job->err = errno; job->syscall = "scandir"; return; }
  size_t cap = 64;
  job->names = malloc(cap * sizeof *job->names);
  if (job->names == NULL) { job->err = ENOMEM; job->syscall = "scandir"; closedir(dir); return; }
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(dir);
    if (e == NULL) {
      if (errno != 0) { job->err = errno; job->syscall = "scandir"; }
      break;
    }
    if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0))) continue;
    if (job->count == cap) {
      cap *= 2;
      scan_name *nn = realloc(job->names, cap * sizeof *nn);
      if (nn == NULL) { job->err = ENOMEM; job->syscall = "scandir"; break; }
      job->names = nn;
    }
    size_t len = strlen(e->d_name);
    char *copy = malloc(len + 1);
    if (copy == NULL) { job->err = ENOMEM; job->syscall = "scandir"; break; }
    memcpy(copy, e->d_name, len + 1);
    job->names[job->count].name = copy;
    job->names[job->count].len = len;
    job->count++;
  }
  if (job->err != 0) { closedir(dir); return; }
  qsort(job->names, job->count, sizeof *job->names, compare_names);
  job->f = calloc(job->count ? job->count : 1, SCAN_F * sizeof(double));
  job->big = calloc(job->count ? job->count : 1, SCAN_B * sizeof(uint64_t));
  size_t plen = strlen(job->path);
  char *full = malloc(plen + 2 + 256);
  if (job->f == NULL || job->big == NULL || full == NULL) {
    free(full);
    job->err = ENOMEM; job->syscall = "scandir"; closedir(dir); return;
  }
  memcpy(full, job->path, plen);
  full[plen] = '/';
  int dfd = dirfd(dir);
  for (size_t i = 0; i < job->count; i++) {
    double *f = job->f + i * SCAN_F;
    uint64_t *b = job->big + i * SCAN_B;
    struct stat st;
    if (fstatat(dfd, job->names[i].name, &st, AT_SYMLINK_NOFOLLOW) != 0) { f[F_ERRNO] = errno; continue; }
    f[F_MODE] = st.st_mode;
    f[F_UID] = st.st_uid;
    f[F_GID] = st.st_gid;
    f[F_NLINK] = (double)st.st_nlink;
    f[F_SIZE] = (double)st.st_size;
    f[F_MTIME_S] = (double)st.st_mtim.tv_sec;
    f[F_MTIME_NS] = (double)st.st_mtim.tv_nsec;
    f[F_CTIME_S] = (double)st.st_ctim.tv_sec;
    f[F_CTIME_NS] = (double)st.st_ctim.tv_nsec;
    f[F_ATIME_S] = (double)st.st_atim.tv_sec;
    f[F_ATIME_NS] = (double)st.st_atim.tv_nsec;
    b[B_INO] = st.st_ino;
    b[B_DEV] = st.st_dev;
    b[B_RDEV] = st.st_rdev;
    /* xattr list size; symlinks and sockets are not asked (restic reads neither) */
    if (S_ISLNK(st.st_mode) || S_ISSOCK(st.st_mode)) continue;
    memcpy(full + plen + 1, job->names[i].name, job->names[i].len + 1);
    ssize_t n = llistxattr(full, NULL, 0);
    f[F_XATTR] = n >= 0 ? (double)n : -(double)errno;
  }
  free(full);
  closedir(dir);
}

static void scan_free(scan_job *job) {
  for (size_t i = 0; i < job->count; i++) free(job->names[i].name);
  free(job->names);
  free(job->f);
  free(job->big);
  free(job->path);
  free(job);
}

static void finalize_free(napi_env env, void *data, void *hint) { free(data); }

/* A typed array over a malloc'd block that is freed with the array. */
static napi_value external_array(napi_env env, napi_typedarray_type type, void *data, size_t count, size_t bytes) {
  napi_value ab, arr;
  if (napi_create_external_arraybuffer(env, data, bytes, finalize_free, NULL, &ab) != napi_ok) return NULL;
  if (napi_create_typedarray(env, type, count, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}

static napi_value scan_result(napi_env env, scan_job *job) {
  napi_value result, names, f, big;
  if (napi_create_object(env, &result) != napi_ok || napi_create_array_with_length(env, job->count, &names) != napi_ok) return NULL;
  for (size_t i = 0; i < job->count; i++) {
    napi_value name;
    if (napi_create_buffer_copy(env, job->names[i].len, job->names[i].name, NULL, &name) != napi_ok ||
        napi_set_element(env, names, (uint32_t)i, name) != napi_ok) return NULL;
  }
  size_t nf = job->count * SCAN_F, nb = job->count * SCAN_B;
  /* ownership of the two arrays moves to their ArrayBuffers, freed when those are collected */
  f = external_array(env, napi_float64_array, job->f, nf, nf * sizeof(double));
  if (f == NULL) return NULL;
  job->f = NULL;
  big = external_array(env, napi_biguint64_array, job->big, nb, nb * sizeof(uint64_t));
  if (big == NULL) return NULL;
  job->big = NULL;
  if (napi_set_named_property(env, result, "names", names) != napi_ok ||
      napi_set_named_property(env, result, "f", f) != napi_ok ||
      napi_set_named_property(env, result, "big", big) != napi_ok) return NULL;
  return result;
}

static void scan_complete(napi_env env, napi_status status, void *data) {
  scan_job *job = data;
  napi_value value = NULL;
  bool ok = false;
  if (status != napi_ok) {
    napi_create_string_utf8(env, "scandir cancelled", NAPI_AUTO_LENGTH, &value);
  } else if (job->err != 0) {
    value = errno_error(env, job->err, job->syscall, job->path);
  } else {
    value = scan_result(env, job);
    ok = value != NULL;
  }
  if (value == NULL) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) napi_get_and_clear_last_exception(env, &value);
    else napi_create_string_utf8(env, "scandir failed", NAPI_AUTO_LENGTH, &value);
  }
  if (ok) napi_resolve_deferred(env, job->deferred, value);
  else napi_reject_deferred(env, job->deferred, value);
  napi_delete_async_work(env, job->work);
  scan_free(job);
}

static napi_value js_scandir(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  char *path = get_bytes(env, argv[0], "invalid path");
  if (path == NULL) return NULL;
  scan_job *job = calloc(1, sizeof *job);
  if (job == NULL) { free(path); napi_throw_error(env, "ENOMEM", "out of memory"); return NULL; }
  job->path = path;
  napi_value promise, resource_name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "skiff:scandir", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_create_async_work(env, NULL, resource_name, scan_execute, scan_complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    scan_free(job);
    throw_status(env, "scandir");
    return NULL;
  }
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"utimensat", NULL, js_utimensat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scandir", NULL, js_scandir, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
