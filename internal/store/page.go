package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Row is what a single-row scan reads from: *sql.Row and *sql.Rows both.
type Row = interface{ Scan(...any) error }

// Conds builds the WHERE clause of a filtered list. Conditions are written
// with one "?" for their argument and numbered here, so that each domain
// keeps its own column names while nobody counts placeholders by hand.
type Conds struct {
	conds []string
	args  []any
}

// Add appends cond, whose "?" stands for v.
func (c *Conds) Add(cond string, v any) {
	c.args = append(c.args, v)
	c.conds = append(c.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(c.args))))
}

// Eq appends "column = v" when set: a filter left at its zero value
// matches every row.
func (c *Conds) Eq(column string, v any, set bool) {
	if set {
		c.Add(column+" = ?", v)
	}
}

// Where returns " WHERE a AND b" ("" without conditions) and the arguments.
func (c *Conds) Where() (string, []any) {
	if len(c.conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(c.conds, " AND "), c.args
}

// Page answers one page of an operators' list: how many rows
// "SELECT COUNT(*) "+from matches, and the rows of
// "SELECT "+columns+" "+from ORDER BY order, LIMIT limit OFFSET offset,
// each read by scan. from is "FROM table" and its WHERE clause (args
// numbered from $1); it is the caller's literal, so each table is still
// named by the package that owns it.
func Page[T any](ctx context.Context, q Querier, columns, from string, args []any, order string, limit, offset int,
	scan func(Row) (T, error)) ([]T, int, error) {
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) `+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count: %w", err)
	}
	n := len(args)
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` `+from+` ORDER BY `+order+` LIMIT $`+strconv.Itoa(n+1)+
		` OFFSET $`+strconv.Itoa(n+2), append(args[:n:n], limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
