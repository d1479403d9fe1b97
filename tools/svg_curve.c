#include "svg_curve.h"

#include <stdio.h>

#define W 640
#define H 360
#define L 60
#define R 60
#define T 40
#define B 50

static double px(int64_t i, int64_t n) { return L + (n > 1 ? (double)i / (double)(n - 1) : 0.5) * (W - L - R); }
static double py(double v, double lo, double hi) { return T + (1.0 - (v - lo) / (hi - lo)) * (H - T - B); }

static void polyline(FILE *f, const double *v, int64_t n, double lo, double hi, const char *color, const char *dash)
{
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", color, dash);
    for (int64_t i = 0; i < n; i++) fprintf(f, "%.1f,%.1f ", px(i, n), py(v[i], lo, hi));
    fprintf(f, "\"/>\n");
    for (int64_t i = 0; i < n; i++)
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px(i, n), py(v[i], lo, hi), color);
}

int svg_curve_write(const char *path, const char *title, int64_t n, const double *train_loss, const double *val_loss,
                    const double *val_acc)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    double hi = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (train_loss[i] > hi) hi = train_loss[i];
        if (val_loss[i] > hi) hi = val_loss[i];
    }
    hi = hi > 0 ? hi * 1.1 : 1.0;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H);
    fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>\n", L, title);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", L, T, W - L - R,
            H - T - B);
    for (int k = 0; k <= 4; k++) {
        double y = T + k * (H - T - B) / 4.0;
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", L, W - R, y, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 6, y + 4, hi * (1 - k / 4.0));
        fprintf(f, "<text x=\"%d\" y=\"%.1f\">%.0f%%</text>\n", W - R + 6, y + 4, 100.0 * (1 - k / 4.0));
    }
    for (int64_t i = 0; i < n; i++)
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%lld</text>\n", px(i, n), H - B + 16, (long long)i + 1);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>\n", (L + W - R) / 2, H - 12);
    fprintf(f, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">loss</text>\n", H / 2, H / 2);
    fprintf(f, "<text x=\"%d\" y=\"%d\" transform=\"rotate(90 %d %d)\" text-anchor=\"middle\">validation accuracy</text>\n",
            W - 14, H / 2, W - 14, H / 2);
    polyline(f, train_loss, n, 0.0, hi, "#1f77b4", "");
    polyline(f, val_loss, n, 0.0, hi, "#ff7f0e", "");
    polyline(f, val_acc, n, 0.0, 1.0, "#2ca02c", " stroke-dasharray=\"6 3\"");
    const char *names[3] = {"train loss", "validation loss", "validation accuracy"};
    const char *colors[3] = {"#1f77b4", "#ff7f0e", "#2ca02c"};
    for (int k = 0; k < 3; k++) {
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", L + 10 + k * 170, T + 8, colors[k]);
        fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", L + 28 + k * 170, T + 18, names[k]);
    }
    fprintf(f, "</svg>\n");
    return fclose(f) == 0 ? 0 : -1;
}
