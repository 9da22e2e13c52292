SUMMARY = "The kiosk's CJK font as a system font"
DESCRIPTION = "WenQuanYi Micro Hei cut to GB2312 and the law corpus (the font the firmware \
               embeds), installed for fontconfig too: Slint's font stack panics when \
               fontconfig knows no font."
SECTION = "fonts"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://assets/fonts/kiosk-cjk.ttf.license;md5=a46a31475b1f97ed8070cf99efce9706"
CVE_PRODUCT = "kiosk-font"

require recipes-kiosk/kiosk/kiosk-source.inc

inherit allarch fontcache

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${datadir}/fonts/truetype/kiosk
    install -m 0644 ${S}/assets/fonts/kiosk-cjk.ttf ${D}${datadir}/fonts/truetype/kiosk/
}

FILES:${PN} += "${datadir}/fonts/truetype/kiosk"
