package dev.rewind.storage.file;

/** In-place sorts of parallel primitive arrays, for writing a {@link MemTable} out as a {@link Run}. */
final class Sorting {
    private Sorting() {
    }

    /** Sorts the first n entries by (msb, lsb) unsigned, moving {@code pos} along. */
    static void sortIds(long[] msb, long[] lsb, int[] pos, int n) {
        if (isSortedIds(msb, lsb, n)) {
            return; // ids made by Rewind increase: the usual case costs one pass
        }
        quickIds(msb, lsb, pos, 0, n - 1);
    }

    private static boolean isSortedIds(long[] msb, long[] lsb, int n) {
        for (int i = 1; i < n; i++) {
            if (Run.compareIds(msb[i - 1], lsb[i - 1], msb[i], lsb[i]) > 0) {
                return false;
            }
        }
        return true;
    }

    private static void quickIds(long[] a, long[] b, int[] c, int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            long pa = a[mid];
            long pb = b[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Run.compareIds(a[i], b[i], pa, pb) < 0) {
                    i++;
                }
                while (Run.compareIds(a[j], b[j], pa, pb) > 0) {
                    j--;
                }
                if (i <= j) {
                    swap(a, b, c, i++, j--);
                }
            }
            if (j - lo < hi - i) {
                quickIds(a, b, c, lo, j);
                lo = i;
            } else {
                quickIds(a, b, c, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && Run.compareIds(a[j - 1], b[j - 1], a[j], b[j]) > 0; j--) {
                swap(a, b, c, j, j - 1);
            }
        }
    }

    private static void swap(long[] a, long[] b, int[] c, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
        t = b[i];
        b[i] = b[j];
        b[j] = t;
        int u = c[i];
        c[i] = c[j];
        c[j] = u;
    }

    /** Sorts the first n entries by (hash unsigned, version, position). */
    static void sortStreams(long[] hash, int[] version, int[] pos, int n) {
        quickStreams(hash, version, pos, 0, n - 1);
    }

    /** Sorts the entries [lo, hi] by (hash unsigned, version, position). */
    static void sortStreamsRange(long[] hash, int[] version, int[] pos, int lo, int hi) {
        quickStreams(hash, version, pos, lo, hi);
    }

    /** Sorts the first n keys (unsigned), moving {@code index} along; equal keys keep no particular order. */
    static void sortByKey(long[] key, int[] index, int n) {
        quickKeys(key, index, 0, n - 1);
    }

    private static void quickKeys(long[] a, int[] c, int lo, int hi) {
        while (hi - lo > 16) {
            long pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Long.compareUnsigned(a[i], pivot) < 0) {
                    i++;
                }
                while (Long.compareUnsigned(a[j], pivot) > 0) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    int u = c[i];
                    c[i] = c[j];
                    c[j] = u;
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i) {
                quickKeys(a, c, lo, j);
                lo = i;
            } else {
                quickKeys(a, c, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && Long.compareUnsigned(a[j - 1], a[j]) > 0; j--) {
                long t = a[j];
                a[j] = a[j - 1];
                a[j - 1] = t;
                int u = c[j];
                c[j] = c[j - 1];
                c[j - 1] = u;
            }
        }
    }

    private static int compareStreams(long h, int v, int p, long oh, int ov, int op) {
        int c = Run.compareStream(h, v, oh, ov);
        return c != 0 ? c : Integer.compare(p, op);
    }

    private static void quickStreams(long[] a, int[] b, int[] c, int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            long pa = a[mid];
            int pb = b[mid];
            int pc = c[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (compareStreams(a[i], b[i], c[i], pa, pb, pc) < 0) {
                    i++;
                }
                while (compareStreams(a[j], b[j], c[j], pa, pb, pc) > 0) {
                    j--;
                }
                if (i <= j) {
                    swapStreams(a, b, c, i++, j--);
                }
            }
            if (j - lo < hi - i) {
                quickStreams(a, b, c, lo, j);
                lo = i;
            } else {
                quickStreams(a, b, c, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && compareStreams(a[j - 1], b[j - 1], c[j - 1], a[j], b[j], c[j]) > 0; j--) {
                swapStreams(a, b, c, j, j - 1);
            }
        }
    }

    private static void swapStreams(long[] a, int[] b, int[] c, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
        int u = b[i];
        b[i] = b[j];
        b[j] = u;
        u = c[i];
        c[i] = c[j];
        c[j] = u;
    }
}
