/*
 * assets.h - the web app's static files (web/index.html, app.js, style.css), embedded at
 * build time by web/embed.cmake into a generated web_assets.c.
 */
#ifndef AIC_WEB_ASSETS_H
#define AIC_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *name;          /* file name in web/ ("app.js"); NULL ends the table */
    const unsigned char *data; /* the bytes (static storage) */
    size_t len;
};

extern const struct web_asset web_assets[];

#endif
