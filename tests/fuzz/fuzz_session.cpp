// libFuzzer target over the session loader: any bytes must give a Session or an error sentence,
// never a crash, a hang or a sanitizer report. Built with -DFINSCOPE_FUZZ=ON (clang), run by
// tools/fuzz.sh.

#include "engine/session/session.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes
        = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const std::optional<finscope::Session> session
        = finscope::Session::fromBytes(bytes, QStringLiteral("fuzz"), &error);
    // A refusal must say something; an accepted file must survive its own round trip.
    if (!session && error.isEmpty())
        __builtin_trap();
    if (session) {
        const QJsonObject json = session->toJson();
        if (!finscope::Session::fromJson(json, &error))
            __builtin_trap();
    }
    return 0;
}
