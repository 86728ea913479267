/* Single-precision benchmark: a float Mandelbrot set and a float
 * 1-D convolution (fmadd.s heavy). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int size = argc > 1 ? atoi(argv[1]) : 450;
    long inside = 0, iters = 0;
    for (int py = 0; py < size; py++) {
        for (int px = 0; px < size; px++) {
            float cr = -2.0f + 2.6f * (float)px / (float)size;
            float ci = -1.3f + 2.6f * (float)py / (float)size;
            float zr = 0, zi = 0;
            int i = 0;
            while (i < 200 && zr * zr + zi * zi < 4.0f) {
                float t = zr * zr - zi * zi + cr;
                zi = 2.0f * zr * zi + ci;
                zr = t;
                i++;
            }
            iters += i;
            inside += i == 200;
        }
    }
    int n = 1 << 16, taps = 31;
    float *in = malloc(sizeof(float) * n), *out = malloc(sizeof(float) * n), k[31];
    for (int i = 0; i < n; i++) {
        in[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    }
    for (int t = 0; t < taps; t++) {
        k[t] = 1.0f / (float)(1 + (t - 15) * (t - 15));
    }
    float acc = 0;
    for (int rep = 0; rep < 20; rep++) {
        for (int i = 0; i < n - taps; i++) {
            float s = 0;
            for (int t = 0; t < taps; t++) {
                s += in[i + t] * k[t];
            }
            out[i] = s;
        }
        for (int i = 0; i < n - taps; i += 16) {
            acc += out[i];
        }
        in[rep] += acc * 1e-6f;
    }
    printf("bench_fp32: mandelbrot inside %ld iters %ld, conv %.6f\n", inside, iters, (double)acc);
    return 0;
}
