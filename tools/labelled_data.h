/* Labelled TSV files as attn train and attn eval read them: the library's
 * loader (attn_dataset_load_tsv_buffer) does the parsing and cleaning; this
 * layer adds what a user of a command line needs around it:
 *  - a header line ("label<TAB>text") is recognised, reported and skipped;
 *  - columns in the order text<TAB>label are recognised and refused with a
 *    hint, or read that way with --columns text,label;
 *  - labels are checked for the problem type (a number for regression,
 *    0/1 values separated by commas or spaces for multi-label);
 *  - a bad line is reported as FILE:LINE and either stops the load or is
 *    left out (the lines around it stay); bad lines are blanked in a
 *    private copy, so the library's line numbers stay the file's.
 * The label space (the model's classes or outputs) comes from the training
 * file, or from a trained model's config; other files are mapped onto it. */
#ifndef ATTN_TOOLS_LABELLED_DATA_H
#define ATTN_TOOLS_LABELLED_DATA_H

#include "attn.h"
#include "train_data.h"

typedef struct data_opts {
    const char *cmd;
    int32_t problem;          /* attn_problem_type */
    int text_first;           /* --columns text,label */
    int skip_bad;             /* --on-bad-line skip */
    int strip_attribution;
} data_opts;

/* Loads a TSV file as described above; prints every message; 0 on success. */
int data_load_tsv(attn_ctx *ctx, const char *path, const data_opts *o, attn_dataset **ds);

/* The model's labels: k names (classes, multi-label outputs, or "value"). */
typedef struct label_space {
    int32_t problem, k;
    char **names;
} label_space;

/* From a training data set: its label names (single-label), "value"
 * (regression), or names (a comma-separated list, may be NULL: LABEL_i)
 * for the width of the multi-hot labels. Refuses a single-class file. */
int label_space_from_data(const char *cmd, const attn_dataset *ds, const char *path, int32_t problem,
                          const char *names, label_space *space);
/* From names already known (a trained model's config). */
int label_space_from_names(label_space *space, int32_t problem, int32_t k, const char *const *names);
void label_space_free(label_space *space);

/* Maps the labels of ds (read from path) onto space; a label the space does
 * not know is an error naming it and how many examples carry it. */
int label_map_build(const char *cmd, const attn_dataset *ds, const char *path, const label_space *space, label_map *map);

/* How many texts of other are also texts of ds in the splits of mask (the
 * cleaned text, compared whole): a --val or --test file that overlaps the
 * training data scores texts the model has seen. -1 if out of memory. */
int64_t data_overlap(const attn_dataset *ds, uint32_t mask, const attn_dataset *other);

#endif
