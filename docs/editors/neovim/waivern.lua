-- Waivern runbooks in Neovim, without plugins: starts `wct lsp` for YAML runbooks.
--
-- Works on Neovim 0.7 (what Debian 12 ships) and later. Save this file as
-- ~/.config/nvim/lua/waivern.lua and add to your init.lua:
--
--   require('waivern').setup()
--
-- or, with options (every one is optional):
--
--   require('waivern').setup({
--     cmd = { 'wct', 'lsp' },                 -- `wct` must be on PATH, or give its full path
--     root_markers = { '.waivern', '.git' },  -- the workspace is the nearest folder with one
--                                             -- (none: the folder a parent runbook shares
--                                             -- with its templates, see family_root)
--     init_options = {                        -- sent to the server; a bad one is reported
--       store = '.waivern',                   -- run store folder (default: .waivern in the workspace)
--       runbookGlobs = { '**/runbook.yaml', '**/*.runbook.yaml' },
--       debounceMs = 0,                       -- extra wait after an edit before analysing
--     },
--     keymaps = true,                         -- false: set your own in on_attach
--     on_attach = function(client, buf) end,  -- runs after this file's own setup of the buffer
--   })
--
-- docs/editors/neovim.md explains each part. The tests (tests/e2e/test_neovim.py) load
-- this very file in a headless Neovim.

local M = {}

-- The server's default runbook globs (server/waivern_lsp/options.py). A YAML file is a
-- runbook when it matches one of them or when its root mapping has `artifacts:`.
local DEFAULT_GLOBS = { '**/runbook.yaml', '**/runbook.yml', '**/*.runbook.yaml', '**/*.runbook.yml' }

local settings = {
  cmd = { 'wct', 'lsp' },
  root_markers = { '.waivern', '.git' },
  init_options = nil,
  keymaps = true,
  on_attach = nil,
}

-- One client per workspace folder (Neovim 0.7 has no vim.lsp.start to reuse them).
local clients = {}

-- Whether a YAML file is a runbook (top-level `artifacts:`) whose text names `folder` as
-- a path segment (`template_paths: [templates]`, `path: templates/child.yaml`).
local function names_folder(file, folder)
  if vim.fn.getfsize(file) > 5000000 then
    return false -- (the server refuses bigger runbooks anyway)
  end
  local runbook, named = false, false
  local edge = '[^%w_%.%-]'
  for _, line in ipairs(vim.fn.readfile(file)) do
    if line:match('^artifacts%s*:') or line:match('^["\']artifacts["\']%s*:') then
      runbook = true
    end
    if not named then
      local padded = ' ' .. line .. ' '
      local from = 1
      while true do
        local first, last = padded:find(folder, from, true)
        if first == nil then
          break
        end
        if padded:sub(first - 1, first - 1):match(edge) and padded:sub(last + 1, last + 1):match(edge) then
          named = true
          break
        end
        from = last + 1
      end
    end
    if runbook and named then
      return true
    end
  end
  return false
end

-- Without a marker: the folder a parent runbook shares with the child runbooks it uses.
-- Climbs from the file's folder; a folder above whose runbooks name the folder the climb
-- came through (`templates` for templates/child.yaml) holds the parent, and the highest
-- such folder is the workspace. Never climbs to the home folder or `/`. So the parent and
-- its children, opened in any order, get the same root: one server sees them all.
local function family_root(dir)
  local home = vim.fn.fnamemodify(vim.env.HOME or '/', ':p'):gsub('/$', '')
  local root, current = dir, dir
  while true do
    local above = vim.fn.fnamemodify(current, ':h')
    if above == current or above == '/' or above == home then
      return root
    end
    local first = dir:sub(#above + 2):match('^[^/]+')
    local listing = vim.loop.fs_scandir(above)
    while listing do
      local name, kind = vim.loop.fs_scandir_next(listing)
      if name == nil then
        break
      end
      if kind ~= 'directory' and name:match('%.ya?ml$') and names_folder(above .. '/' .. name, first) then
        root = above
        break
      end
    end
    current = above
  end
end

-- The workspace folder of a file: the nearest folder above it holding a root marker,
-- else the folder its parent runbook and that runbook's children share (`family_root`).
local function root_for(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local best = nil
  for _, marker in ipairs(settings.root_markers) do
    local found = vim.fn.finddir(marker, dir .. ';')
    if found == '' then
      found = vim.fn.findfile(marker, dir .. ';')
    end
    if found ~= '' then
      local folder = vim.fn.fnamemodify(found, ':p'):gsub('/$', '')
      folder = vim.fn.fnamemodify(folder, ':h')
      if best == nil or #folder > #best then -- the nearest marker wins
        best = folder
      end
    end
  end
  return best or family_root(dir)
end

M.root_dir = root_for -- for a configuration of your own: require('waivern').root_dir(path)

local function is_runbook(buf, path, root)
  for _, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:match('^artifacts%s*:') or line:match('^["\']artifacts["\']%s*:') then
      return true
    end
  end
  local globs = (settings.init_options or {}).runbookGlobs or DEFAULT_GLOBS
  if type(globs) == 'string' then
    globs = { globs }
  end
  local relative = path:sub(1, #root + 1) == root .. '/' and path:sub(#root + 2) or path
  for _, glob in ipairs(globs) do
    local pattern = vim.fn.glob2regpat(glob)
    if vim.fn.match(path, pattern) >= 0 or vim.fn.match(relative, pattern) >= 0 then
      return true
    end
  end
  return false
end

local function map_keys(buf)
  local function map(mode, lhs, rhs, desc)
    vim.keymap.set(mode, lhs, rhs, { buffer = buf, silent = true, desc = desc })
  end
  map('n', 'K', vim.lsp.buf.hover, 'Waivern: hover')
  map('n', 'gd', vim.lsp.buf.definition, 'Waivern: go to definition')
  map('n', 'gr', vim.lsp.buf.references, 'Waivern: references')
  map('n', '<leader>rn', vim.lsp.buf.rename, 'Waivern: rename')
  map('n', '<leader>ca', vim.lsp.buf.code_action, 'Waivern: code actions (run, resume)')
  map('i', '<C-Space>', '<C-x><C-o>', 'Waivern: complete')
  map('n', '[d', vim.diagnostic.goto_prev, 'previous diagnostic')
  map('n', ']d', vim.diagnostic.goto_next, 'next diagnostic')
  map('n', '<leader>d', vim.diagnostic.open_float, 'diagnostic under the cursor')
  map('n', '<leader>q', vim.diagnostic.setloclist, 'diagnostics in the location list')
end

local function on_attach(client, buf)
  -- <C-x><C-o> in insert mode asks the server for completions
  vim.api.nvim_buf_set_option(buf, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
  if settings.keymaps then
    map_keys(buf)
  end
  if settings.on_attach then
    settings.on_attach(client, buf)
  end
end

local function client_config(root)
  return {
    name = 'waivern',
    cmd = settings.cmd,
    root_dir = root,
    cmd_cwd = root, -- a relative `store` option is taken from the workspace folder
    init_options = settings.init_options,
    on_attach = on_attach,
  }
end

function M.attach(buf)
  local path = vim.api.nvim_buf_get_name(buf)
  if path == '' or vim.bo[buf].buftype ~= '' then
    return
  end
  path = vim.fn.fnamemodify(path, ':p')
  local root = root_for(path)
  if not is_runbook(buf, path, root) then
    return
  end
  if vim.lsp.start then -- Neovim 0.8+: reuses the client with the same name and root
    vim.lsp.start(client_config(root), { bufnr = buf })
    return
  end
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    local config = client_config(root)
    config.on_exit = function()
      clients[root] = nil
    end
    id = vim.lsp.start_client(config)
    if id == nil then
      return -- Neovim has reported why (e.g. `wct` not found)
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(buf, id)
end

function M.setup(opts)
  settings = vim.tbl_extend('force', settings, opts or {})
  local group = vim.api.nvim_create_augroup('waivern', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'yaml',
    callback = function(args)
      M.attach(args.buf)
    end,
  })
end

return M
