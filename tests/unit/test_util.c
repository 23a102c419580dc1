/*
 * test_util.c - the library's small shared helpers: the growable array (aic_grow) and the
 * growable string (aic_buf).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

/* Pushing 1000 items from an empty array: capacity doubles from the first size, every item
 * survives the moves, and a full array is the only one that moves. */
static void test_grow_doubles_and_keeps_items(void **state)
{
    int *v = NULL, n = 0, cap = 0, grew = 0;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        int before = cap;
        int *w = aic_grow(v, n, &cap, sizeof(*w), 16);
        assert_non_null(w);
        if (cap != before) {
            assert_int_equal(n, before); /* only a full array grows */
            assert_int_equal(cap, before ? 2 * before : 16);
            grew++;
        }
        v = w;
        v[n++] = i * 7;
    }
    assert_int_equal(cap, 1024);
    assert_int_equal(grew, 7); /* 16, 32, ..., 1024 */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i * 7);
    free(v);
}

/* Room left: the same array comes back and the capacity stays. */
static void test_grow_with_room_is_a_no_op(void **state)
{
    int cap = 8;
    double *v = malloc(8 * sizeof(*v));

    (void)state;
    assert_non_null(v);
    assert_ptr_equal(aic_grow(v, 5, &cap, sizeof(*v), 4), v);
    assert_int_equal(cap, 8);
    free(v);
}

static void test_buf_printf_and_add(void **state)
{
    struct aic_buf b = {0};

    (void)state;
    for (int i = 0; i < 300; i++)
        assert_int_equal(aic_buf_printf(&b, "%d,", i), 0);
    assert_int_equal(aic_buf_add(&b, "end", 3), 0);
    assert_int_equal(strncmp(aic_buf_str(&b), "0,1,2,", 6), 0);
    assert_true(strstr(aic_buf_str(&b), "298,299,end") != NULL);
    assert_int_equal(strlen(aic_buf_str(&b)), b.len);
    aic_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_doubles_and_keeps_items),
        cmocka_unit_test(test_grow_with_room_is_a_no_op),
        cmocka_unit_test(test_buf_printf_and_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
