package org.proctap.sys;

/** Linux x86-64 errno names, so native failures read "bpf_object__load: EPERM (1)". */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ENOSYS = 38;
    public static final int ENOTSUP = 95;

    private static final String[] NAMES = new String[134];

    static {
        String[] table = {
            "1 EPERM", "2 ENOENT", "3 ESRCH", "4 EINTR", "5 EIO", "6 ENXIO", "7 E2BIG", "8 ENOEXEC",
            "9 EBADF", "10 ECHILD", "11 EAGAIN", "12 ENOMEM", "13 EACCES", "14 EFAULT", "15 ENOTBLK",
            "16 EBUSY", "17 EEXIST", "18 EXDEV", "19 ENODEV", "20 ENOTDIR", "21 EISDIR", "22 EINVAL",
            "23 ENFILE", "24 EMFILE", "25 ENOTTY", "26 ETXTBSY", "27 EFBIG", "28 ENOSPC", "29 ESPIPE",
            "30 EROFS", "31 EMLINK", "32 EPIPE", "33 EDOM", "34 ERANGE", "35 EDEADLK", "36 ENAMETOOLONG",
            "37 ENOLCK", "38 ENOSYS", "39 ENOTEMPTY", "40 ELOOP", "61 ENODATA", "62 ETIME",
            "75 EOVERFLOW", "84 EILSEQ", "95 EOPNOTSUPP", "110 ETIMEDOUT", "114 EALREADY",
            "115 EINPROGRESS", "122 EDQUOT", "125 ECANCELED", "524 ENOTSUPP",
        };
        for (String entry : table) {
            int space = entry.indexOf(' ');
            int number = Integer.parseInt(entry.substring(0, space));
            if (number < NAMES.length) {
                NAMES[number] = entry.substring(space + 1);
            }
        }
    }

    private Errno() {
    }

    /** "EPERM (1)"; accepts negative values as libbpf returns them (-errno). */
    public static String describe(int errno) {
        int e = Math.abs(errno);
        String name = e == 524 ? "ENOTSUPP" : (e < NAMES.length ? NAMES[e] : null);
        return (name != null ? name : "errno") + " (" + e + ")";
    }

    /** The bare name ("EPERM"), or "errno N" when unknown. */
    public static String name(int errno) {
        int e = Math.abs(errno);
        String name = e == 524 ? "ENOTSUPP" : (e < NAMES.length ? NAMES[e] : null);
        return name != null ? name : "errno " + e;
    }
}
