// The fuzz target's checks without libFuzzer, as a ctest: every file in the folders given (the
// seeds, the regressions the fuzzer found, the examples) goes through LLVMFuzzerTestOneInput, so
// what it once found stays fixed in every build, not only in a clang fuzz build.

#include <QDir>
#include <QFile>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char *argv[])
{
    LLVMFuzzerInitialize(&argc, &argv);
    int checked = 0;
    for (int i = 1; i < argc; ++i) {
        const QDir dir(QString::fromLocal8Bit(argv[i]));
        for (const QFileInfo &info : dir.entryInfoList(QDir::Files, QDir::Name)) {
            QFile file(info.filePath());
            if (!file.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "fuzz_check: cannot read %s\n", qPrintable(info.filePath()));
                return 1;
            }
            const QByteArray data = file.readAll();
            std::printf("%s\n", qPrintable(info.filePath()));
            std::fflush(stdout);
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(data.constData()),
                                   size_t(data.size()));
            ++checked;
        }
    }
    std::printf("fuzz_check: %d files passed\n", checked);
    return checked > 0 ? 0 : 1;
}
