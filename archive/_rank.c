/* chinasei_rank(): FTS5's bm25, without the pass that gains a one-phrase query nothing.
 *
 * FTS5's own bm25() weighs each phrase of a query by its IDF, and to learn the IDF it first walks
 * every match of every phrase in the whole index. A search of one phrase (any query of one term:
 * the archive's index makes a term of n characters the phrase of its n-1 bigrams) multiplies every
 * match's score by that one IDF, which changes no order; yet for a phrase most articles hold, that
 * walk costs more than finding and scoring the matches asked for. This function is bm25 as FTS5
 * computes it (k1 = 1.2, b = 0.75, a weight per column, the row's length against the average),
 * except that a query of one phrase skips the walk and takes an IDF of 1. Queries of more phrases
 * get bm25's scores exactly.
 *
 * FTS5 auxiliary functions are C; Python's sqlite3 cannot register them, and a Python built
 * without loadable extensions cannot load one. So this module registers the function with
 * sqlite3_auto_extension(), in the SQLite library the process has loaded: every connection opened
 * after install() has it, whichever program opens it (our archive, sqlite-utils, Datasette).
 * Where this module was not built, or links another copy of SQLite than Python's, search keeps
 * bm25 (archive.search checks the function on a new connection before it uses it).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <sqlite3.h>

#define K1 1.2
#define B 0.75

typedef struct {
    int phrases;
    double average_length; /* tokens per row, all columns */
    double *idf;           /* per phrase */
    double *frequency;     /* per phrase, for the row being scored */
} Ranking;

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *count) {
    (void)api;
    (void)fts;
    ++*(sqlite3_int64 *)count;
    return SQLITE_OK;
}

/* bm25's IDF of a phrase: log((N - n + 0.5) / (n + 0.5)), at least 1e-6, as FTS5 takes it. */
static double idf(sqlite3_int64 rows, sqlite3_int64 hits) {
    double value = log((0.5 + (double)(rows - hits)) / (0.5 + (double)hits));
    return value <= 0.0 ? 1e-6 : value;
}

/* What every row of one query shares, made at its first row and kept with the query. */
static Ranking *ranking(const Fts5ExtensionApi *api, Fts5Context *fts, int *rc) {
    Ranking *data = api->xGetAuxdata(fts, 0);
    if (data != NULL) {
        return data;
    }
    sqlite3_int64 rows = 0, tokens = 0;
    int phrases = api->xPhraseCount(fts);
    *rc = api->xRowCount(fts, &rows);
    if (*rc == SQLITE_OK) {
        *rc = api->xColumnTotalSize(fts, -1, &tokens);
    }
    if (*rc != SQLITE_OK) {
        return NULL;
    }
    data = sqlite3_malloc64(sizeof(Ranking) + sizeof(double) * 2 * (phrases > 0 ? phrases : 1));
    if (data == NULL) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    data->phrases = phrases;
    data->idf = (double *)&data[1];
    data->frequency = &data->idf[phrases > 0 ? phrases : 1];
    data->average_length = (double)tokens / (double)(rows > 0 ? rows : 1);
    for (int i = 0; i < phrases && *rc == SQLITE_OK; i++) {
        sqlite3_int64 hits = 0;
        if (phrases > 1) {
            *rc = api->xQueryPhrase(fts, i, &hits, count_row);
        }
        data->idf[i] = phrases > 1 ? idf(rows, hits) : 1.0;
    }
    if (*rc != SQLITE_OK) {
        sqlite3_free(data);
        return NULL;
    }
    *rc = api->xSetAuxdata(fts, data, sqlite3_free); /* frees data itself when it fails */
    return *rc == SQLITE_OK ? data : NULL;
}

static void rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argc,
                 sqlite3_value **weights) {
    int rc = SQLITE_OK, instances = 0, length = 0;
    Ranking *data = ranking(api, fts, &rc);
    if (data == NULL) {
        sqlite3_result_error_code(context, rc);
        return;
    }
    for (int i = 0; i < data->phrases; i++) {
        data->frequency[i] = 0.0;
    }
    rc = api->xInstCount(fts, &instances);
    for (int i = 0; rc == SQLITE_OK && i < instances; i++) {
        int phrase, column, offset;
        rc = api->xInst(fts, i, &phrase, &column, &offset);
        if (rc == SQLITE_OK) {
            data->frequency[phrase] += column < argc ? sqlite3_value_double(weights[column]) : 1.0;
        }
    }
    if (rc == SQLITE_OK) {
        rc = api->xColumnSize(fts, -1, &length);
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
        return;
    }
    double score = 0.0, norm = K1 * (1 - B + B * (double)length / data->average_length);
    for (int i = 0; i < data->phrases; i++) {
        double f = data->frequency[i];
        score += data->idf[i] * (f * (K1 + 1.0)) / (f + norm);
    }
    sqlite3_result_double(context, -1.0 * score);
}

/* Run by SQLite as each connection opens. It never fails the opening: a connection without FTS5
 * (or one where the function cannot be made) simply has no chinasei_rank. */
static int add_to_connection(sqlite3 *db, char **error, const void *routines) {
    (void)error;
    (void)routines;
    fts5_api *fts5 = NULL;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(statement, 1, (void *)&fts5, "fts5_api_ptr", NULL);
        sqlite3_step(statement);
    }
    sqlite3_finalize(statement);
    if (fts5 != NULL && fts5->iVersion >= 2) {
        fts5->xCreateFunction(fts5, "chinasei_rank", NULL, rank, NULL);
    }
    return SQLITE_OK;
}

static PyObject *install(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return PyBool_FromLong(sqlite3_auto_extension((void (*)(void))add_to_connection) == SQLITE_OK);
}

static PyObject *sqlite_version(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return PyUnicode_FromString(sqlite3_libversion());
}

static PyMethodDef methods[] = {
    {"install", install, METH_NOARGS,
     "Give every SQLite connection this process opens from now on chinasei_rank(); True when done."},
    {"sqlite_version", sqlite_version, METH_NOARGS, "The version of the SQLite library this module calls."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_rank", "chinasei_rank(), a ranking for FTS5.", -1, methods};

PyMODINIT_FUNC PyInit__rank(void) { return PyModule_Create(&module); }
