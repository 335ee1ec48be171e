package httpkit

import (
	"net/http"
	"strconv"
)

// PageParams reads the page (default 1) and page size (query parameter
// sizeName, default 20, clamped to 100) of a list endpoint.
func PageParams(r *http.Request, sizeName string) (page, size int, err error) {
	f := NewFields()
	page, size = 1, 20
	if v := r.URL.Query().Get("page"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 {
			f.Add("page", "must be a positive integer")
		}
		page = n
	}
	if v := r.URL.Query().Get(sizeName); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 {
			f.Add(sizeName, "must be a positive integer")
		}
		size = min(n, 100)
	}
	return page, size, f.Err()
}

// TotalPages is how many pages of size hold total items.
func TotalPages(total, size int) int { return (total + size - 1) / size }
