# What `cmake --install` puts where (GNUInstallDirs), and the Debian package `cpack -G DEB` makes
# of it. The executables install themselves (src/app, src/cli); this file installs the shared files.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/examples/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/finscope/examples)
if(FINSCOPE_BUILD_APP)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/finscope.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/finscope.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()

set(CPACK_PACKAGE_NAME finscope)
set(CPACK_PACKAGE_VENDOR "FinScope")
set(CPACK_PACKAGE_CONTACT "FinScope developers <finscope@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Workbench for TCP half-close: shutdown(), FIN, EOF and RST on a timeline")
set(CPACK_PACKAGE_DESCRIPTION "FinScope drives real TCP sockets through shutdown(SHUT_WR), SHUT_RD,
SHUT_RDWR, close() and an abortive close (RST), and shows every byte, FIN, EOF and RST with the
kernel's TCP state of each end on one timeline. Sessions are saved as JSON and replayed.
The package holds the desktop app finscope and the command line finscope-cli.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# dpkg-shlibdeps finds the Qt libraries (libqt6svg6 brings the SVG icon engine the window icon uses).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "socat, python3")
set(CPACK_STRIP_FILES ON)
include(CPack)
