#pragma once

// Writes every file FinScope produces (sessions, exports) one way: a regular file, or a new one,
// is replaced atomically (QSaveFile), so a crash or a full disk leaves the old file whole; a pipe
// or a device that exists (a FIFO, /dev/stdout) is written through, since renaming a temporary
// file over it would replace the special file itself; "-" is standard output.

#include <QByteArrayView>
#include <QFile>
#include <QSaveFile>
#include <QString>

#include <memory>

namespace finscope {

class OutputFile
{
public:
    explicit OutputFile(QString path);
    ~OutputFile();

    // what: the kind of file for error sentences ("session"), or empty.
    void setWhat(const QString &what) { m_what = what; }

    bool open(QString *error);
    // Whether open() would find a place to write, asked before a long run so that what it records
    // is not lost at the end: the folder exists and takes a new file, an existing file may be
    // replaced. Creates nothing; false and *error (one sentence) otherwise.
    bool check(QString *error) const;
    bool write(QByteArrayView data);
    // Makes the written bytes the file's content; false (with a sentence) when any write failed.
    bool commit(QString *error);

    // The whole file in one call.
    static bool write(const QString &path, QByteArrayView data, QString *error);

private:
    QString failure(const QString &reason) const;

    QString m_path;
    QString m_what;
    std::unique_ptr<QSaveFile> m_atomic;
    std::unique_ptr<QFile> m_through;
    QIODevice *m_device = nullptr;
    bool m_failed = false;
    QString m_reason; // why the first write failed
};

} // namespace finscope
