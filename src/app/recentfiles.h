#pragma once

// The Open Recent list: the last few session files opened or saved, newest first, kept in
// QSettings so it survives restarts.

#include <QStringList>

namespace finscope {

class RecentFiles
{
public:
    static constexpr int MaxFiles = 8;

    QStringList files() const;
    // Moves the file to the top (absolute path), dropping the oldest past MaxFiles.
    void add(const QString &path);
    void remove(const QString &path);
    void clear();
};

} // namespace finscope
