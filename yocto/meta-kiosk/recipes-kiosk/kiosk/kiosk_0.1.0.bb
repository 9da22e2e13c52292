SUMMARY = "Public legal service touch kiosk firmware"
DESCRIPTION = "The firmware of the touch-screen query terminals in China's public legal \
               service halls: law texts, process guides, service-point map, queue tickets, \
               legal-aid check. Slint on DRM/KMS with the software renderer, touch through \
               libinput, no seat manager."
SECTION = "graphics"
LICENSE = "GPL-3.0-or-later"
LIC_FILES_CHKSUM = "file://LICENSE;md5=1ebbd3e34237af26da5dc08a4e440464"
CVE_PRODUCT = "kiosk"

DEPENDS = "fontconfig libinput libxkbcommon systemd"

require kiosk-source.inc
# Every crate pinned by Cargo.lock, fetched by bitbake (no network during the build).
# Regenerate with tools/yocto-crates or `bitbake -c update_crates kiosk`; the tests fail when it
# lags behind Cargo.lock.
require kiosk-crates.inc
SRC_URI += "file://kiosk.toml"

# pkgconfig: the -sys crates (libudev, libinput, xkbcommon, fontconfig) find their libraries
# through it.
inherit cargo cargo-update-recipe-crates pkgconfig systemd useradd

# How the panel is mounted: 0 (as the picture is), 90, 180 or 270 degrees. Turns the picture
# (SLINT_KMS_ROTATION) and the touch (a libinput calibration udev rule) together.
KIOSK_ROTATION ??= "0"

# The workspace's kiosk crate; the lock file sits at the workspace root.
CARGO_SRC_DIR = "kiosk"
CARGO_LOCK_PATH = "${S}/Cargo.lock"
# The device build: linuxkms with libinput and no seat manager, software renderer only. The
# desktop feature (winit) is off: nothing of X11/Wayland is built or linked. Handwriting
# (feature "handwriting", linking libzinnia) is off until the layer carries zinnia and the
# Tegaki model: see README.md, "Handwriting".
CARGO_BUILD_FLAGS += "--no-default-features --features device"

do_install:append() {
    install -d ${D}${systemd_system_unitdir} ${D}${sysconfdir}/kiosk
    install -m 0644 ${S}/ops/systemd/kiosk.service ${D}${systemd_system_unitdir}/
    if [ "${KIOSK_ROTATION}" != "0" ]; then
        install -d ${D}${systemd_system_unitdir}/kiosk.service.d
        printf '[Service]\nEnvironment=SLINT_KMS_ROTATION=%s\n' "${KIOSK_ROTATION}" \
            > ${D}${systemd_system_unitdir}/kiosk.service.d/rotation.conf
    fi
    install -m 0644 ${UNPACKDIR}/kiosk.toml ${D}${sysconfdir}/kiosk/kiosk.toml

    # Start after the clock is synchronised, but never wait more than 90 s for it.
    install -d ${D}${systemd_system_unitdir}/systemd-time-wait-sync.service.d
    install -m 0644 ${S}/ops/systemd/systemd-time-wait-sync.service.d/kiosk.conf \
        ${D}${systemd_system_unitdir}/systemd-time-wait-sync.service.d/

    install -d ${D}${nonarch_libdir}/udev/rules.d
    install -m 0644 ${S}/ops/udev/70-kiosk-printer.rules ${D}${nonarch_libdir}/udev/rules.d/
    install -m 0644 ${S}/ops/udev/71-kiosk-touch-rotate-${KIOSK_ROTATION}.rules \
        ${D}${nonarch_libdir}/udev/rules.d/71-kiosk-touch.rules

    install -d ${D}${nonarch_libdir}/tmpfiles.d ${D}${systemd_unitdir}/journald.conf.d
    install -m 0644 ${S}/ops/tmpfiles/kiosk.conf ${D}${nonarch_libdir}/tmpfiles.d/kiosk.conf
    install -m 0644 ${S}/ops/journald/10-kiosk.conf ${D}${systemd_unitdir}/journald.conf.d/
}

# An unprivileged user: DRM (video, render), touch (input), the usblp printer (lp).
USERADD_PACKAGES = "${PN}"
GROUPADD_PARAM:${PN} = "--system kiosk"
USERADD_PARAM:${PN} = "--system --home-dir ${localstatedir}/lib/kiosk --no-create-home \
                       --shell ${base_sbindir}/nologin --gid kiosk --groups video,render,input,lp kiosk"

SYSTEMD_SERVICE:${PN} = "kiosk.service"
SYSTEMD_AUTO_ENABLE:${PN} = "enable"

FILES:${PN} += "${systemd_system_unitdir} \
                ${nonarch_libdir}/udev/rules.d \
                ${nonarch_libdir}/tmpfiles.d \
                ${systemd_unitdir}/journald.conf.d"
CONFFILES:${PN} = "${sysconfdir}/kiosk/kiosk.toml"
# fontconfig must know at least one font or Slint's font stack panics at start.
RDEPENDS:${PN} += "fontconfig kiosk-font"
# The spoken ticket number (speech = true in kiosk.toml) runs espeak-ng. Neither oe-core nor
# meta-oe has a recipe for it (meta-oe's espeak 1.48 is the older program): add one, or set
# speech = false. Without it the kiosk prints and shows the number and logs that it could not
# speak. A recommendation, so an image without it still builds.
RRECOMMENDS:${PN} += "espeak-ng"
